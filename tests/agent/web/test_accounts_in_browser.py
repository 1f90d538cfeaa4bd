"""The account list and account page, rendered by real headless Chromium."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from agent.accounts import service
from agent.app import create_app
from agent.auth.service import principal_for
from agent.db.database import Database
from agent.settings import Settings
from agent.web.format import money
from tests.browser import chromium, served
from tests.factories import make_account, make_invoice, make_person, token_for

pytestmark = pytest.mark.browser


@pytest.fixture
def admin_token(session: Session) -> str:
    maya = make_person(session, "maya.chen@nudge.example")
    admin = make_person(session, "admin@nudge.example", role="admin")
    for index in range(12):
        account = make_account(session, f"Account {index:02d}", maya, segment="smb")
        make_invoice(session, account, f"A{index}-1", f"{1000 + index * 250}.25", issued=date(2026, 8, 1))
        make_invoice(session, account, f"A{index}-2", "99.99", issued=date(2026, 11, 1))
    session.commit()
    return token_for(session, admin)


def test_account_list_shows_the_balances_in_the_database(
    database: Database, settings: Settings, session: Session, admin_token: str, tmp_path: Path
) -> None:
    app = create_app(settings=settings, database=database)
    admin = principal_for(session=session, person=make_person(session, "viewer@nudge.example", role="ops"))
    expected = service.list_accounts(session=session, principal=admin, as_of=settings.today())
    session.commit()
    with served(app) as base_url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base_url}/login?token={admin_token}")
        page.wait_for_selector("table#accounts tbody tr")
        page.screenshot(path=str(tmp_path / "accounts.png"), full_page=True)
        shown = {
            row.locator("td").first.locator("a").inner_text(): (
                row.locator("td.open-ar").inner_text(),
                row.locator("td.overdue-ar").inner_text(),
            )
            for row in page.locator("table#accounts tbody tr").all()
        }
        bars = {
            bar.get_attribute("data-label"): Decimal(bar.get_attribute("data-value") or "0")
            for bar in page.locator("#aging-USD g.bar").all()
        }
        page.locator("table#accounts a", has_text="Account 11").click()
        page.wait_for_selector("#kpi-open-ar")
        account_open_ar = page.locator("#kpi-open-ar").inner_text()
    assert (tmp_path / "accounts.png").stat().st_size > 10_000
    assert shown == {a.name: (money(a.open_ar), money(a.overdue_ar)) for a in expected}
    assert sum(bars.values()) == sum(a.open_ar for a in expected)
    assert bars["61-90"] == sum(a.overdue_ar for a in expected)  # due 2026-08-31: 81 days late
    assert account_open_ar == money(Decimal("3750.25") + Decimal("99.99"))
