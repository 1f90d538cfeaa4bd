"""A CSM acknowledges an alert in the inbox with real headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from agent.alerts.tables import Alert
from agent.app import create_app
from agent.db.database import Database
from agent.settings import Settings
from tests.agent.alerts.factories import firing_invoice_alert, load_book, owner_of, run_cycle
from tests.browser import chromium, served
from tests.factories import token_for

pytestmark = pytest.mark.browser


def test_acknowledging_in_the_inbox_shows_in_the_database_and_on_the_account_page(
    database: Database, settings: Settings, session: Session, tmp_path: Path
) -> None:
    load_book(session)
    run_cycle(session, settings)
    alert = firing_invoice_alert(session)
    owner = owner_of(session, alert)
    token = token_for(session, owner)
    app = create_app(settings=settings, database=database)
    with served(app) as base_url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{base_url}/login?token={token}")
        page.click("nav >> text=Inbox")
        row = page.locator(f'tr[data-alert-id="{alert.id}"]')
        assert row.locator(".state-cell").inner_text() == "firing"
        page.screenshot(path=str(tmp_path / "inbox.png"), full_page=True)
        with page.expect_navigation():
            row.locator("button.act-acknowledge").click()
        assert page.locator(f'tr[data-alert-id="{alert.id}"]').count() == 0  # the inbox shows firing alerts
        page.goto(f"{base_url}/inbox?state=acknowledged")
        acknowledged = page.locator(f'tr[data-alert-id="{alert.id}"] .state-cell').inner_text()
        page.locator(f'tr[data-alert-id="{alert.id}"] a').first.click()
        page.wait_for_selector("#account-alerts")
        card = page.locator(f'#account-alerts div.alert[data-alert-id="{alert.id}"]')
        account_state = card.locator(".state-cell").inner_text()
        history = [item.get_attribute("data-kind") for item in card.locator("ol.history li").all()]
        last_entry = card.locator("ol.history li").last.inner_text()
    session.expire_all()
    assert session.get_one(Alert, alert.id).state == "acknowledged"
    assert (tmp_path / "inbox.png").stat().st_size > 10_000
    assert acknowledged == account_state == "acknowledged"
    assert history == ["opened", "acknowledge"]
    assert f"{owner.email} via web · acknowledge → acknowledged" in last_entry
