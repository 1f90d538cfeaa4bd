"""The /runs page in real headless Chromium: reached from the nav, showing the run records."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from agent.app import create_app
from agent.db.database import Database
from agent.scheduler.jobs import run_cycle_job
from agent.settings import Settings
from agent.sync.result import SyncResult
from agent.sync.runs import record_sync
from tests.browser import chromium, served
from tests.factories import make_person, token_for

pytestmark = pytest.mark.browser


def test_ops_opens_runs_from_the_nav_and_sees_syncs_and_cycles(
    database: Database, settings: Settings, session: Session, tmp_path: Path
) -> None:
    token = token_for(session, make_person(session, "ops@nudge.example", role="ops"))
    record_sync(database=database, source="hubspot", run=lambda: SyncResult(records_read=42, api_calls=1))
    run_cycle_job(database=database, settings=settings)

    with served(create_app(settings=settings, database=database)) as base_url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{base_url}/login?token={token}")
        page.get_by_role("link", name="Runs").click()
        page.wait_for_selector("table#job-runs tbody tr[data-run-id]")
        page.screenshot(path=str(tmp_path / "runs.png"), full_page=True)
        sync_cells = page.locator("table#sync-runs tbody tr").first.locator("td").all_inner_texts()
        job_cells = page.locator("table#job-runs tbody tr").first.locator("td").all_inner_texts()

    assert sync_cells[0] == "hubspot"
    assert (sync_cells[3], sync_cells[4], sync_cells[6]) == ("ok", "42", "1")
    assert (job_cells[0], job_cells[3]) == ("cycle", "ok")
    assert "close_settled ok" in job_cells[6]
