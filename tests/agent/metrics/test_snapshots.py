"""Daily snapshots survive in the database as they were computed, even after invoices change."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from agent.metrics.rates import Rates
from agent.metrics.snapshots import load_snapshots, store_snapshot
from agent.metrics.trend import snapshot_rows
from tests.agent.metrics.factories import day, team_book

USD = Rates("USD")


def test_store_then_load_the_overall_trend(session: Session) -> None:
    march = snapshot_rows(team_book(), day("2024-03-31"), 31, rates=USD)
    february = snapshot_rows(team_book(), day("2024-02-29"), 31, rates=USD)
    assert store_snapshot(session=session, rows=march) == len(march)
    store_snapshot(session=session, rows=february)
    session.commit()
    trend = load_snapshots(session=session, period_days=31)
    assert list(trend["as_of"]) == [day("2024-02-29"), day("2024-03-31")]
    assert trend["ar"].iloc[1] == Decimal("6350.00")  # 500 + 2500 + 3000 - 250 + 600
    assert trend["dso"].iloc[1] == pytest.approx(march.loc[0, "dso"])


def test_storing_a_day_again_replaces_it(session: Session) -> None:
    rows = snapshot_rows(team_book(), day("2024-03-31"), 31, rates=USD)
    store_snapshot(session=session, rows=rows)
    store_snapshot(session=session, rows=rows)
    session.commit()
    bolt = load_snapshots(session=session, dimension="customer", group_key="BOLT", period_days=31)
    assert len(bolt) == 1
    assert bolt["aging_current"].iloc[0] == Decimal("2750.00")


def test_undefined_metrics_are_stored_as_null_with_their_reason(session: Session) -> None:
    rows = snapshot_rows(team_book(), day("2024-03-31"), 31, rates=USD)
    store_snapshot(session=session, rows=rows)
    terms_0 = load_snapshots(session=session, dimension="terms", group_key="0", period_days=31)
    assert terms_0["percent_current"].iloc[0] is None
    assert "negative" in terms_0["undefined"].iloc[0]["percent_current"]
