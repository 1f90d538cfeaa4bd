"""The dashboard and the account page, drawn by real headless Chromium on a realistic book."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page
from sqlalchemy.orm import Session

from agent.app import create_app
from agent.db.database import Database
from agent.demo.book import build_demo_book
from agent.demo.load import load_demo_book
from agent.demo.setup import DEMO_FX_RATES
from agent.metrics.history import backfill_month_ends
from agent.settings import Settings
from tests.browser import chromium, served
from tests.conftest import BOOK_DATE
from tests.factories import make_person, token_for

pytestmark = pytest.mark.browser
ACCOUNTS = 40


@pytest.fixture
def demo_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"fx_rates": DEMO_FX_RATES})


@pytest.fixture
def admin_token(session: Session, demo_settings: Settings) -> str:
    """The demo book (40 accounts, USD/EUR/GBP) with a year of stored month-end snapshots."""
    load_demo_book(session=session, book=build_demo_book(seed=7, as_of=BOOK_DATE, accounts=ACCOUNTS))
    session.flush()
    backfill_month_ends(session=session, settings=demo_settings, months=12)
    admin = make_person(session, "admin@nudge.example", role="admin")
    session.commit()
    return token_for(session, admin)


def drawn_points(page: Page) -> dict[str, dict[str, float]]:
    """Series name -> month -> value, as drawn in the trend chart."""
    return {
        str(series.get_attribute("data-series")): {
            str(point.get_attribute("data-label")): float(point.get_attribute("data-value") or "nan")
            for point in series.locator("circle.point").all()
        }
        for series in page.locator("#trend g.series").all()
    }


def drawn_bars(page: Page, chart: str) -> dict[str, float]:
    """Bar label -> value, as drawn in a bar chart."""
    return {
        str(bar.get_attribute("data-label")): float(bar.get_attribute("data-value") or "nan")
        for bar in page.locator(f"#{chart} g.bar").all()
    }


def api(base_url: str, token: str, path: str) -> Any:
    response = httpx.get(f"{base_url}{path}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()


def expected_points(trend: dict[str, Any]) -> dict[str, dict[str, float]]:
    names = {"DSO": "dso", "Best possible DSO": "best_possible_dso", "Delinquent DSO": "delinquent_dso"}
    names["3-month rolling DSO"] = "rolling_dso_3m"
    return {
        series: {m["month"]: round(m[field], 2) for m in trend["months"] if m[field] is not None}
        for series, field in names.items()
    }


def test_dashboard_draws_the_api_numbers(
    database: Database, demo_settings: Settings, admin_token: str, tmp_path: Path
) -> None:
    app = create_app(settings=demo_settings, database=database)
    errors: list[str] = []
    with served(app) as base_url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(f"{base_url}/login?token={admin_token}")
        page.goto(f"{base_url}/dashboard")
        page.wait_for_selector("#trend circle.point")
        page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
        points, aging, forecast = drawn_points(page), drawn_bars(page, "aging"), drawn_bars(page, "forecast")
        dso_tile = page.locator("#kpi-dso strong").inner_text()
        owners = page.locator("table#owners tbody tr").count()
        attention = page.locator("table#attention tbody tr a").first
        account_name = attention.inner_text()
        attention.click()
        page.wait_for_selector("#account-trend circle.point")
        page.screenshot(path=str(tmp_path / "account.png"), full_page=True)
        heading = page.locator("h1").inner_text()
        account_dso = page.locator("#acct-dso").inner_text()
        account_id = page.url.rsplit("/", 1)[1]
        invoices = page.locator("table#invoices tbody tr").count()
        metrics = api(base_url, admin_token, "/api/metrics")
        trend = api(base_url, admin_token, "/api/metrics/trend")
        weeks = api(base_url, admin_token, "/api/forecast")["weeks"]
        account = api(base_url, admin_token, f"/api/accounts/{account_id}/metrics")
    assert (tmp_path / "dashboard.png").stat().st_size > 50_000
    assert errors == []  # nothing refused by the CSP, nothing missing
    assert [m["source"] for m in trend["months"]] == ["snapshot"] * 11 + ["live"]
    assert points == expected_points(trend)
    assert len(points["DSO"]) == 12
    assert aging == {bucket: round(value, 2) for bucket, value in metrics["aging"].items()}
    assert sum(aging.values()) == pytest.approx(metrics["ar"], abs=0.05)
    assert forecast == {w["week_start"]: round(w["expected_amount"], 2) for w in weeks}
    assert len(forecast) == 13
    assert dso_tile == f"{metrics['dso']:.1f} days"
    assert owners >= 8  # the demo's CSMs
    assert heading == account_name
    assert account_dso == f"{account['metrics']['dso']:,.1f} days"
    assert invoices > 0
