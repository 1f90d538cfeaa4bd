"""Matching payments to invoices: the payments are the record of when money came in."""

from __future__ import annotations

import pandas as pd
import pytest

from agent.metrics.rates import Rates
from agent.metrics.service import compute_metrics
from ledger.frame import Ledger
from tests.agent.metrics.factories import day, invoice, ledger

USD = Rates("USD")
AS_OF = day("2024-03-31")


def _with_payments(book: Ledger, rows: list[tuple[str, str, float]]) -> Ledger:
    extra = pd.DataFrame(rows, columns=["invoice_id", "paid_on", "amount"])
    extra["paid_on"] = pd.to_datetime(extra["paid_on"]).astype("datetime64[ns]")
    extra.insert(1, "customer_id", "C1")
    return Ledger(invoices=book.invoices, payments=pd.concat([book.payments, extra], ignore_index=True))


def test_payments_are_the_record_when_amount_paid_disagrees() -> None:
    # The invoice row says nothing is paid, but a payment of 400 was recorded in February.
    book = _with_payments(
        ledger([invoice("I", "2024-01-10", "2024-02-09", 1000)]), [("I", "2024-02-20", 400)]
    )
    metrics = compute_metrics(book, AS_OF, 31, USD)
    assert metrics.ar == pytest.approx(600)
    assert metrics.aging["31-60"] == pytest.approx(600)


def test_a_payment_after_the_recorded_settlement_date_still_counts_on_its_day() -> None:
    # Settled on 02-25 says the row, yet the last 300 arrived on 03-05 (inside the period).
    rows = [invoice("I", "2024-01-10", "2024-02-09", 1000), invoice("S", "2024-03-01", "2024-03-31", 3100)]
    book = ledger(rows, [("I", "2024-02-01", 700), ("I", "2024-03-05", 300)])
    book.invoices.loc[0, "paid_date"] = pd.Timestamp("2024-02-25")
    metrics = compute_metrics(book, AS_OF, 31, USD)
    assert metrics.ar == pytest.approx(3100)
    # I owes 300 on March 1-4, S owes 3100 all month.
    assert metrics.dso_average_ar == pytest.approx((300 * 4 + 3100 * 31) / 3100)
    # Opening 300 (I) + sales 3100 - closing 3100, over 300 + 3100 - current 3100.
    assert metrics.cei == pytest.approx(100)


def test_a_payment_on_an_unknown_invoice_is_an_error() -> None:
    book = _with_payments(
        ledger([invoice("I", "2024-01-10", "2024-02-09", 1000)]), [("NOPE", "2024-03-02", 5)]
    )
    with pytest.raises(ValueError, match="invoice_id 'NOPE'"):
        compute_metrics(book, AS_OF, 31, USD)


def test_duplicate_invoice_ids_are_an_error() -> None:
    rows = [invoice("I", "2024-03-01", "2024-03-31", 10), invoice("I", "2024-03-02", "2024-04-01", 20)]
    book = ledger(rows[:1], [("I", "2024-03-10", 10)])
    doubled = Ledger(
        invoices=pd.concat([book.invoices, book.invoices], ignore_index=True), payments=book.payments
    )
    with pytest.raises(ValueError, match="invoice_id 'I' appears more than once"):
        compute_metrics(doubled, AS_OF, 31, USD)
