"""Replaying rules day by day over a small ledger whose answers are known."""

from datetime import date

import pytest

from rules.backtest import backtest
from rules.context import ContextBuilder
from rules.loader import load_rule_texts
from rules.risk import PriorLateRateRisk
from tests.rules.factories import small_book

RULES = {
    "overdue.yaml": "name: overdue\nwhen: invoice.days_past_due >= 1\nmessage: late\n",
    "due-soon.yaml": ("name: due-soon\nkind: pre_due\npre_due: {within: 7d, min_p_late: 0}\nmessage: soon\n"),
}


@pytest.fixture(scope="module")
def report() -> dict:
    builder = ContextBuilder(small_book(), risk=PriorLateRateRisk())
    return backtest(load_rule_texts(RULES), builder, date(2024, 2, 1), date(2024, 2, 29))


def test_alerts_open_on_the_first_day_they_fire(report: dict) -> None:
    assert report["alerts"] == [
        {"rule": "overdue", "customer_id": "A", "invoice_id": "A1", "first_date": "2024-02-01"},
        {"rule": "due-soon", "customer_id": "B", "invoice_id": "B1", "first_date": "2024-02-02"},
        {"rule": "overdue", "customer_id": "B", "invoice_id": "B1", "first_date": "2024-02-10"},
        {"rule": "due-soon", "customer_id": "A", "invoice_id": "A2", "first_date": "2024-02-13"},
    ]


def test_per_day_and_per_owner_counts(report: dict) -> None:
    days = {row["date"]: row for row in report["per_day"]}
    assert report["days"] == 29
    # On 02-13: B1 overdue keeps firing, A2 starts firing (due 02-20, paid 02-18).
    assert days["2024-02-13"] == {"date": "2024-02-13", "opened": 1, "firing": 2}
    assert days["2024-02-10"]["firing"] == 1  # A1 paid that day, B1 overdue from that day
    assert report["per_owner"] == {"unassigned": 4}


def test_precision_and_lead_days_per_rule(report: dict) -> None:
    overdue, due_soon = report["per_rule"]["overdue"], report["per_rule"]["due-soon"]
    # Both overdue invoices were paid late: 9 and 39 days after the alerts.
    assert overdue["precision"] == 1.0
    assert overdue["lead_days"] == {"median": 24.0, "mean": 24.0}
    # B1 was paid late, A2 on time; both alerts came 7 days before the due date.
    assert due_soon["precision"] == 0.5
    assert due_soon["lead_days"] == {"median": 7.0, "mean": 7.0}
    assert report["precision"] == 0.75
    assert report["alert_count"] == 4


def test_account_alerts_are_scored_on_invoices_not_yet_due() -> None:
    rules = load_rule_texts(
        {"owes.yaml": "name: owes\non: account\nwhen: account.overdue_ar > 0\nmessage: x\n"}
    )
    report = backtest(rules, ContextBuilder(small_book()), date(2024, 2, 1), date(2024, 2, 29))
    assert [(a["customer_id"], a["first_date"]) for a in report["alerts"]] == [
        ("A", "2024-02-01"),
        ("B", "2024-02-10"),
    ]
    # A's only upcoming invoice then (A2) was paid on time; B had none upcoming: unknown.
    owes = report["per_rule"]["owes"]
    assert (owes["alert_count"], owes["scored"], owes["precision"]) == (2, 1, 0.0)
