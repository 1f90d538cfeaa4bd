"""Run records through the API and the /runs page: admin, ops and finance only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from agent.app import create_app
from agent.db.database import Database
from agent.jobs.wrapper import run_job
from agent.settings import Settings
from agent.sync.result import SyncResult
from agent.sync.runs import record_sync
from tests.agent.jobs.factories import audit_job
from tests.factories import make_person, token_for


@pytest.fixture
def tokens(session: Session) -> dict[str, str]:
    """A token per role."""
    roles = ("admin", "ops", "finance", "csm", "manager")
    return {
        role: token_for(session, make_person(session, f"{role}@nudge.example", role=role)) for role in roles
    }


@pytest.fixture
def runs(database: Database) -> None:
    """Two syncs (one with record errors, one crashed) and three job runs (ok, failed, ok)."""
    record_sync(
        database=database,
        source="hubspot",
        run=lambda: SyncResult(
            records_read=120, records_changed=7, api_calls=2, errors=["deal 5: bad amount"]
        ),
    )

    def crash() -> SyncResult:
        raise TimeoutError("stripe did not answer in 30 s")

    record_sync(database=database, source="stripe", run=crash)
    run_job(database=database, name="cycle", work=audit_job(database, entries=2))
    run_job(database=database, name="cycle", work=audit_job(database, fail_after_writing=True))
    run_job(database=database, name="digest", work=audit_job(database))


@pytest.fixture
def client(database: Database, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings=settings, database=database)) as client:
        yield client


def get(client: TestClient, token: str, path: str) -> tuple[int, Any]:
    response = client.get(path, headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.json()


@pytest.mark.usefixtures("runs")
@pytest.mark.parametrize("role", ["admin", "ops", "finance"])
def test_book_wide_roles_see_job_runs_newest_first(
    client: TestClient, tokens: dict[str, str], role: str
) -> None:
    status, body = get(client, tokens[role], "/api/jobs/runs")

    assert status == 200
    assert [(run["name"], run["status"]) for run in body] == [
        ("digest", "ok"),
        ("cycle", "failed"),
        ("cycle", "ok"),
    ]
    assert body[1]["error"] == "RuntimeError: vendor timed out after the writes"
    assert body[2]["detail"] == "wrote 2 audit entries"


@pytest.mark.usefixtures("runs")
def test_sync_runs_show_counts_api_calls_and_errors(client: TestClient, tokens: dict[str, str]) -> None:
    status, body = get(client, tokens["ops"], "/api/sync/runs")

    assert status == 200
    stripe, hubspot = body
    assert (stripe["source"], stripe["status"]) == ("stripe", "failed")
    assert stripe["errors"] == ["TimeoutError: stripe did not answer in 30 s"]
    assert (hubspot["records_read"], hubspot["records_changed"], hubspot["api_calls"]) == (120, 7, 2)
    assert hubspot["errors"] == ["deal 5: bad amount"]


@pytest.mark.usefixtures("runs")
def test_runs_can_be_filtered(client: TestClient, tokens: dict[str, str]) -> None:
    _, failed = get(client, tokens["admin"], "/api/jobs/runs?status=failed")
    _, hubspot = get(client, tokens["admin"], "/api/sync/runs?source=hubspot&limit=1")

    assert [(run["name"], run["status"]) for run in failed] == [("cycle", "failed")]
    assert [run["source"] for run in hubspot] == ["hubspot"]


@pytest.mark.parametrize("role", ["csm", "manager"])
@pytest.mark.parametrize("path", ["/api/jobs/runs", "/api/sync/runs", "/runs"])
def test_other_roles_are_refused(client: TestClient, tokens: dict[str, str], role: str, path: str) -> None:
    status, body = get(client, tokens[role], path)

    assert status == 403
    assert body == {"detail": f"role '{role}' may not do this (needs admin or ops or finance)"}


def test_runs_need_a_token(client: TestClient) -> None:
    assert client.get("/api/jobs/runs").status_code == 401


@pytest.mark.usefixtures("runs")
def test_the_runs_page_lists_syncs_and_jobs_and_is_in_the_nav(
    client: TestClient, tokens: dict[str, str]
) -> None:
    response = client.get("/runs", headers={"Authorization": f"Bearer {tokens['finance']}"})

    assert response.status_code == 200
    page = response.text
    assert '<a href="/runs" aria-current="page">Runs</a>' in page
    for shown in ("hubspot", "deal 5: bad amount", "TimeoutError: stripe did not answer in 30 s"):
        assert shown in page
    assert "RuntimeError: vendor timed out after the writes" in page
    assert "wrote 2 audit entries" in page


def test_the_nav_hides_runs_from_a_csm(client: TestClient, tokens: dict[str, str]) -> None:
    page = client.get("/", headers={"Authorization": f"Bearer {tokens['csm']}"}).text

    assert 'href="/runs"' not in page
