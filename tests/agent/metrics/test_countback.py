"""Countback DSO: walking back month by month from a mid-month as-of date."""

from __future__ import annotations

import pytest

from agent.metrics.rates import Rates
from agent.metrics.service import compute_metrics
from tests.agent.metrics.factories import day, invoice, ledger

USD = Rates("USD")
AS_OF = day("2024-03-15")


def test_countback_walks_back_across_months() -> None:
    # Sales: March 1-15 1000, February 2000, January 4000; ar 4000.
    book = ledger(
        [
            invoice("M", "2024-03-05", "2024-04-04", 1000),
            invoice("F", "2024-02-10", "2024-03-11", 2000),
            invoice("J", "2024-01-10", "2024-02-09", 4000),
        ],
        [("J", "2024-02-01", 3000)],
    )
    metrics = compute_metrics(book, AS_OF, 15, USD)
    assert metrics.ar == pytest.approx(4000)
    # 1000 covers March's 15 days, 2000 February's 29, the last 1000 is 1/4 of January.
    assert metrics.countback_dso == pytest.approx(15 + 29 + 31 / 4)


def test_a_month_without_sales_adds_its_days() -> None:
    book = ledger(
        [
            invoice("M", "2024-03-05", "2024-04-04", 1000),
            invoice("J", "2024-01-10", "2024-02-09", 4000),
        ],
        [("J", "2024-02-01", 3000)],
    )
    assert compute_metrics(book, AS_OF, 15, USD).countback_dso == pytest.approx(15 + 29 + 31 / 4)


def test_credit_balance_makes_countback_undefined() -> None:
    book = ledger(
        [invoice("CN", "2024-03-05", "2024-03-05", -100)],
    )
    metrics = compute_metrics(book, AS_OF, 15, USD)
    assert metrics.countback_dso is None
    assert "negative" in metrics.undefined["countback_dso"]
