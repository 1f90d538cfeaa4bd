"""Aging buckets at their edges: 0, 1, 30, 31, 60, 61, 90 and 91 days past due."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agent.metrics.rates import Rates
from agent.metrics.service import compute_metrics
from tests.agent.metrics.factories import day, invoice, ledger

AS_OF = day("2024-06-30")


def _open_invoice(days_past_due: int, amount: float):
    due = AS_OF - timedelta(days=days_past_due)
    issue = due - timedelta(days=30)
    return invoice(f"I{days_past_due}", issue.isoformat(), due.isoformat(), amount)


@pytest.mark.parametrize(
    ("days_past_due", "bucket"),
    [
        (-5, "current"),
        (0, "current"),
        (1, "1-30"),
        (30, "1-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, "91+"),
        (400, "91+"),
    ],
)
def test_bucket_edges(days_past_due: int, bucket: str) -> None:
    metrics = compute_metrics(ledger([_open_invoice(days_past_due, 100)]), AS_OF, 30, Rates("USD"))
    assert metrics.aging[bucket] == 100
    assert sum(metrics.aging.values()) == metrics.ar


def test_partially_paid_invoice_ages_its_open_balance() -> None:
    row = _open_invoice(45, 1000)
    book = ledger([row], [(str(row["invoice_id"]), "2024-06-01", 250)])
    metrics = compute_metrics(book, AS_OF, 30, Rates("USD"))
    assert metrics.aging["31-60"] == 750
    assert metrics.percent_current == 0
