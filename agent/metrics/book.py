"""A ledger as flat numpy arrays in the reporting currency: what every metric is computed from.

Dates are whole day numbers (days since 1970-01-01) so that "on or before the as-of
date" is an integer comparison; an open invoice's settlement day is :data:`NEVER`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from agent.ledger.frame import Ledger
from agent.metrics.rates import Rates

NEVER = np.iinfo(np.int64).max // 4


@dataclass(frozen=True)
class Book:
    """Invoice and payment columns as arrays; payments point at invoice positions."""

    currency: str
    amount: np.ndarray
    issue: np.ndarray
    due: np.ndarray
    settled: np.ndarray
    terms: np.ndarray
    issue_month: np.ndarray
    pay_invoice: np.ndarray
    pay_on: np.ndarray
    pay_amount: np.ndarray

    @property
    def size(self) -> int:
        """Number of invoices."""
        return int(self.amount.size)


def day_number(day: date) -> int:
    """Days since 1970-01-01."""
    return int(np.datetime64(day, "D").astype(np.int64))


def _days(values: pd.Series) -> np.ndarray:
    days = values.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)
    return np.where(values.isna().to_numpy(), NEVER, days)


def _months(values: pd.Series) -> np.ndarray:
    return values.to_numpy(dtype="datetime64[ns]").astype("datetime64[M]").astype(np.int64)


def payment_positions(ledger: Ledger) -> np.ndarray:
    """The invoice row each payment belongs to; a payment on an unknown invoice is an error."""
    index = pd.Index(ledger.invoices["invoice_id"])
    positions = index.get_indexer(ledger.payments["invoice_id"])
    if (missing := positions < 0).any():
        example = ledger.payments["invoice_id"].to_numpy()[missing][0]
        raise ValueError(
            f"{int(missing.sum())} payment(s) reference invoices not in the ledger "
            f"(e.g. invoice_id '{example}')"
        )
    return positions


def prepare(ledger: Ledger, rates: Rates | None = None) -> Book:
    """Convert ``ledger`` to a :class:`Book` in the reporting currency of ``rates``."""
    rates = rates or Rates.default()
    invoices = ledger.invoices
    factor = rates.factors(invoices["currency"])
    issue = _days(invoices["issue_date"])
    positions = payment_positions(ledger)
    # A payment cannot reduce a balance before the invoice exists.
    pay_on = np.maximum(_days(ledger.payments["paid_on"]), issue[positions])
    return Book(
        currency=rates.reporting_currency,
        amount=invoices["amount"].to_numpy(dtype=float) * factor,
        issue=issue,
        due=_days(invoices["due_date"]),
        settled=_days(invoices["paid_date"]),
        terms=invoices["terms_days"].to_numpy(dtype=np.int64),
        issue_month=_months(invoices["issue_date"]),
        pay_invoice=positions,
        pay_on=pay_on,
        pay_amount=ledger.payments["amount"].to_numpy(dtype=float) * factor[positions],
    )
