"""The /model page and the account page's risk section, rendered by real headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.app import create_app
from agent.auth.service import principal_for
from agent.db.database import Database
from agent.jobs.steps import StepContext
from agent.profile.tables import Person
from agent.risk.service import account_risk
from agent.risk.step import score_book
from agent.settings import Settings
from models.registry import read_card
from tests.agent.risk.factories import AS_OF, install_trained_model, load_book
from tests.browser import chromium, served
from tests.factories import make_person, token_for

pytestmark = pytest.mark.browser


@pytest.fixture
def scored(database: Database, settings: Settings, session: Session) -> str:
    """A scored demo book; an admin's token."""
    load_book(session)
    install_trained_model(settings.home)
    with database.transaction() as tx:
        score_book(StepContext(session=tx, database=database, settings=settings, as_of=AS_OF))
    return token_for(session, make_person(session, "admin@nudge.example", role="admin"))


def test_the_model_page_shows_the_card_and_the_calibration_chart(
    database: Database, settings: Settings, scored: str, tmp_path: Path
) -> None:
    card = read_card(settings.home)
    with served(create_app(settings=settings, database=database)) as base_url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(f"{base_url}/login?token={scored}")
        page.locator("nav a", has_text="Model").click()
        page.wait_for_selector("#calibration-chart")
        page.screenshot(path=str(tmp_path / "model.png"), full_page=True)
        version = page.locator("#model-version").inner_text()
        auc = {
            cell.get_attribute("data-model"): float(cell.get_attribute("data-value") or "nan")
            for cell in page.locator("#model-metrics tr[data-metric=roc_auc] td").all()
        }
        points = {
            series: {
                p.get_attribute("data-label"): float(p.get_attribute("data-value") or "nan")
                for p in page.locator(f"#calibration-chart g[data-series={series}] circle.point").all()
            }
            for series in ("predicted", "realised")
        }
        chosen = page.locator("#selection-chosen").inner_text()
        reason = page.locator("#selection-reason").inner_text()
        candidates = page.locator("#selection-metrics tr[data-candidate]").evaluate_all(
            "rows => rows.map(r => r.dataset.candidate)"
        )
        history_rows = page.locator("#model-by-history tr[data-group] td.num").all_inner_texts()
    months = card["evaluation"]["calibration_by_month"]
    assert (tmp_path / "model.png").stat().st_size > 10_000
    assert version == card["version"]
    evaluation = card["evaluation"]
    assert auc == pytest.approx(
        {
            "model": evaluation["model"]["roc_auc"],
            "prior_late_rate": evaluation["baselines"]["prior_late_rate"]["roc_auc"],
            "invoice_only": evaluation["baselines"]["invoice_only"]["roc_auc"],
        },
        abs=1e-4,
    )
    selection = card["selection"]
    assert (chosen, reason) == (selection["chosen"], selection["reason"])
    assert candidates == list(selection["inner_metrics"])
    history = evaluation["by_history"]
    assert history_rows[0] == str(history["with_history"]["rows"])
    assert history_rows[4] == str(history["without_history"]["rows"])
    for series in ("predicted", "realised"):
        expected = {m["month"]: 100 * m[f"{series}_late_rate"] for m in months}
        assert points[series] == pytest.approx(expected, abs=0.005)


def test_the_account_page_shows_each_open_invoices_risk_and_reasons(
    database: Database, settings: Settings, session: Session, scored: str
) -> None:
    admin = principal_for(
        session=session, person=session.scalars(select(Person).where(Person.role == "admin")).one()
    )
    account_id = 1
    expected = account_risk(session=session, principal=admin, account_id=account_id) or []
    session.commit()
    with served(create_app(settings=settings, database=database)) as base_url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(f"{base_url}/login?token={scored}")
        page.goto(f"{base_url}/accounts/{account_id}")
        page.wait_for_selector("#risk")
        rows = page.locator("#invoice-risk tbody tr").all()
        shown = [
            (
                int(row.get_attribute("data-invoice-id") or 0),
                row.locator("td.p-late").inner_text(),
                row.locator("td.pay-date").inner_text().split(" ")[0],
                row.locator("td.reasons div").all_inner_texts(),
            )
            for row in rows
        ]
    assert expected
    assert shown == [
        (r.invoice_id, f"{100 * r.p_late:.0f} %", r.expected_pay_date.isoformat(), r.reasons)
        for r in expected
    ]
