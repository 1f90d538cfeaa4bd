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

from agent.ledger.frame import Ledger

RISK_COLUMNS = ("invoice_id", "p_late", "expected_days_late", "reason")


class RiskProvider(Protocol):
    """Late-payment risk per invoice, using nothing after ``as_of``."""

    def __call__(self, ledger: Ledger, as_of: date) -> pd.DataFrame: ...


@dataclass(frozen=True)
class PriorLateRateRisk:
    """The customer's late rate on invoices settled before ``as_of``, shrunk to the book's.

    ``p_late = (late + k × book_rate) / (settled + k)`` with ``k = prior_strength``; the
    expected days late is the customer's mean days late on its late invoices, shrunk the
    same way to the book's mean. A new customer gets the book's figures.
    """

    prior_strength: float = 5.0

    def __call__(self, ledger: Ledger, as_of: date) -> pd.DataFrame:
        invoices = ledger.invoices
        codes, customers = pd.factorize(invoices["customer_id"])
        cutoff = np.datetime64(pd.Timestamp(as_of), "ns")
        paid = invoices["paid_date"].to_numpy(dtype="datetime64[ns]")
        settled = ~np.isnat(paid) & (paid <= cutoff)
        due = invoices["due_date"].to_numpy(dtype="datetime64[ns]")
        days_late = np.where(settled, (paid - due) / np.timedelta64(1, "D"), 0.0).clip(min=0)
        late = settled & (days_late > 0)
        size = len(customers)
        n = np.bincount(codes, settled.astype(float), minlength=size)
        n_late = np.bincount(codes, late.astype(float), minlength=size)
        late_days = np.bincount(codes, np.where(late, days_late, 0.0), minlength=size)
        book_rate = float(late.sum() / settled.sum()) if settled.any() else 0.0
        book_days = float(days_late[late].mean()) if late.any() else 0.0
        k = self.prior_strength
        p_late = (n_late + k * book_rate) / (n + k)
        expected = (late_days + k * book_days) / (n_late + k)
        return pd.DataFrame(
            {
                "invoice_id": invoices["invoice_id"].to_numpy(),
                "p_late": p_late[codes],
                "expected_days_late": expected[codes],
                "reason": _reasons(n, n_late, book_rate)[codes],
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
