"""The worked examples of the DSO articles Nudge was seeded with, rebuilt as ledgers."""

from __future__ import annotations

import pytest

from agent.metrics.rates import Rates
from agent.metrics.service import compute_metrics
from tests.agent.metrics.factories import day, invoice, ledger

USD = Rates("USD")


def _book(sales: float, open_part: float, first_day: str, as_of: str, slices: int = 10):
    """``slices`` equal invoices dated in the period; all paid except ``open_part``."""
    share = sales / slices
    rows = [invoice(f"I{n}", first_day, as_of, share) for n in range(slices)]
    paid = sales - open_part
    payments = [(f"I{n}", as_of, share) for n in range(int(paid // share))]
    rest = paid - share * len(payments)
    if rest:
        payments.append((f"I{len(payments)}", as_of, rest))
    return ledger(rows, payments)


def test_monthly_example_three_days() -> None:
    """100,000 of receivables on 1,000,000 of monthly credit sales: DSO 3 days."""
    book = _book(1_000_000, 100_000, "2024-06-01", "2024-06-30")
    metrics = compute_metrics(book, day("2024-06-30"), 30, USD)
    assert metrics.ar == pytest.approx(100_000)
    assert metrics.credit_sales == pytest.approx(1_000_000)
    assert metrics.dso == pytest.approx(3.0)


def test_yearly_example_ninety_days() -> None:
    """5M of receivables on 20M of annual credit sales over 360 days: 90 days."""
    book = _book(20_000_000, 5_000_000, "2023-07-08", "2024-07-01")
    assert compute_metrics(book, day("2024-07-01"), 360, USD).dso == pytest.approx(90.0)


def test_quarterly_example_forty_five_days() -> None:
    """4.5M of receivables on 9M of quarterly credit sales over 90 days: 45 days."""
    book = _book(9_000_000, 4_500_000, "2024-01-01", "2024-03-30")
    assert compute_metrics(book, day("2024-03-30"), 90, USD).dso == pytest.approx(45.0)
