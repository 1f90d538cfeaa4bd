"""Month-by-month trend with a 3-month rolling DSO, and daily snapshot rows."""

from __future__ import annotations

import pytest

from agent.metrics.rates import Rates
from agent.metrics.trend import monthly_trend, snapshot_rows
from tests.agent.metrics.factories import day, invoice, ledger, team_book

USD = Rates("USD")


def _quarter():
    return ledger(
        [
            invoice("J", "2024-01-10", "2024-02-09", 3100),
            invoice("F", "2024-02-10", "2024-03-11", 2900),
            invoice("M", "2024-03-10", "2024-04-09", 3100),
        ],
        [("J", "2024-02-15", 3100)],
    )


def test_each_month_is_measured_at_its_end_over_its_own_days() -> None:
    points = monthly_trend(_quarter(), day("2024-03-31"), 3, USD)
    assert [p.month for p in points] == ["2024-01", "2024-02", "2024-03"]
    assert [p.metrics.as_of for p in points] == [
        day("2024-01-31"),
        day("2024-02-29"),
        day("2024-03-31"),
    ]
    assert [p.metrics.period_days for p in points] == [31, 29, 31]
    # Jan: 3100 open on 3100 sales; Feb: J paid, F 2900 on 2900; Mar: 6000 on 3100.
    assert [p.metrics.dso for p in points] == pytest.approx([31, 29, 6000 / 3100 * 31])


def test_rolling_dso_uses_three_months_of_sales_and_days() -> None:
    points = monthly_trend(_quarter(), day("2024-03-31"), 3, USD)
    # Jan: Nov-Jan (92 days) sales 3100; Feb: Dec-Feb (91) 6000; Mar: Jan-Mar (91) 9100.
    assert [p.rolling_dso_3m for p in points] == pytest.approx(
        [3100 / 3100 * 92, 2900 / 6000 * 91, 6000 / 9100 * 91]
    )


def test_the_last_month_stops_at_the_end_date() -> None:
    last = monthly_trend(_quarter(), day("2024-03-15"), 1, USD)[0]
    assert (last.metrics.as_of, last.metrics.period_days) == (day("2024-03-15"), 15)
    assert last.to_dict()["month"] == "2024-03"


def test_months_without_sales_explain_the_missing_rolling_dso() -> None:
    point = monthly_trend(_quarter(), day("2023-11-30"), 1, USD)[0]
    assert point.rolling_dso_3m is None
    assert point.to_dict()["undefined"]["rolling_dso_3m"] == "no credit sales in the period"


def test_snapshot_rows_hold_overall_and_every_group() -> None:
    rows = snapshot_rows(team_book(), day("2024-03-31"), 31, rates=USD)
    overall = rows[rows["dimension"] == "all"].iloc[0]
    assert overall["ar"] == pytest.approx(500 + 2500 + 3000 - 250 + 600)
    counts = rows["dimension"].value_counts().to_dict()
    assert counts == {"all": 1, "customer": 3, "owner": 3, "terms": 3, "segment": 2}
    bolt = rows[(rows["dimension"] == "customer") & (rows["group_key"] == "BOLT")].iloc[0]
    assert bolt["aging_current"] == pytest.approx(3000 - 250)
    assert set(rows["as_of"]) == {day("2024-03-31")}
    crux = rows[(rows["dimension"] == "customer") & (rows["group_key"] == "CRUX")].iloc[0]
    assert crux["undefined"] == {}
    assert rows[rows["group_key"] == "0"].iloc[0]["undefined"]["percent_current"]
