"""Risk providers: who says how likely an open invoice is to be paid late, as of a date.

The rule engine only needs ``provider(ledger, as_of)`` returning one row per invoice with
``invoice_id, p_late, expected_days_late, reason``; the payment-delay model plugs in
the same way. :class:`PriorLateRateRisk` is the transparent baseline used until then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

import numpy as np
import pandas as pd

from ledger.frame import Ledger
from ledger.late import shrunk_mean
from rules.expr.tokens import day_number
from rules.frame import day_numbers

RISK_COLUMNS = ("invoice_id", "p_late", "expected_days_late", "reason")


class RiskProvider(Protocol):
    """Late-payment risk per invoice, using nothing after ``as_of``."""

    def __call__(self, ledger: Ledger, as_of: date) -> pd.DataFrame: ...


@dataclass(frozen=True)
class _Prepared:
    """A ledger's arrays in the shape the provider needs (computed once per ledger)."""

    invoice_ids: np.ndarray
    codes: np.ndarray
    customers: int
    paid: np.ndarray
    days_late: np.ndarray

    @classmethod
    def of(cls, ledger: Ledger) -> _Prepared:
        invoices = ledger.invoices
        codes, customers = pd.factorize(invoices["customer_id"])
        paid = day_numbers(invoices["paid_date"])
        days_late = np.nan_to_num(paid - day_numbers(invoices["due_date"]), nan=0.0).clip(min=0)
        return cls(invoices["invoice_id"].to_numpy(), codes, len(customers), paid, days_late)


class PriorLateRateRisk:
    """The customer's late rate on invoices settled before ``as_of``, shrunk to the book's.

    ``p_late = (late + k × book_rate) / (settled + k)`` with ``k = prior_strength``; the
    expected days late is the customer's mean days late on its late invoices, shrunk the
    same way to the book's mean. A new customer gets the book's figures.
    """

    def __init__(self, prior_strength: float = 5.0) -> None:
        self.prior_strength = prior_strength
        self._prepared: tuple[Ledger, _Prepared] | None = None

    def _arrays(self, ledger: Ledger) -> _Prepared:
        # Backtests call once per day on the same ledger: prepare its arrays once.
        if self._prepared is None or self._prepared[0] is not ledger:
            self._prepared = (ledger, _Prepared.of(ledger))
        return self._prepared[1]

    def __call__(self, ledger: Ledger, as_of: date) -> pd.DataFrame:
        book = self._arrays(ledger)
        settled = book.paid <= day_number(as_of)
        late = settled & (book.days_late > 0)
        n = np.bincount(book.codes, settled.astype(float), minlength=book.customers)
        n_late = np.bincount(book.codes, late.astype(float), minlength=book.customers)
        late_days = np.bincount(book.codes, np.where(late, book.days_late, 0.0), minlength=book.customers)
        book_rate = float(late.sum() / settled.sum()) if settled.any() else 0.0
        book_days = float(book.days_late[late].mean()) if late.any() else 0.0
        k = self.prior_strength
        p_late = shrunk_mean(n_late, n, book_rate, k)
        expected = shrunk_mean(late_days, n_late, book_days, k)
        return pd.DataFrame(
            {
                "invoice_id": book.invoice_ids,
                "p_late": p_late[book.codes],
                "expected_days_late": expected[book.codes],
                "reason": _reasons(n, n_late, book_rate)[book.codes],
            }
        )


def _reasons(settled: np.ndarray, late: np.ndarray, book_rate: float) -> np.ndarray:
    """One sentence per customer saying where its figure comes from."""
    fallback = f"No payment history yet; {book_rate:.0%} of the book pays late."
    return np.array(
        [
            f"Paid {int(lt)} of {int(s)} past invoices late." if s else fallback
            for s, lt in zip(settled, late, strict=True)
        ],
        dtype=object,
    )
