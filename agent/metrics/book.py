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
    return np.where(days == np.iinfo(np.int64).min, NEVER, days)  # NaT: not yet


def payment_positions(ledger: Ledger) -> np.ndarray:
    """The invoice row each payment belongs to; a payment on an unknown invoice is an error.

    One hash pass over invoice and payment ids together: invoice ids are unique, so
    the first ``n`` codes are ``0..n-1`` and a payment's code is its invoice's row.
    """
    invoice_ids = ledger.invoices["invoice_id"].to_numpy()
    payment_ids = ledger.payments["invoice_id"].to_numpy()
    codes, _ = pd.factorize(np.concatenate([invoice_ids, payment_ids]))
    count = invoice_ids.size
    if not np.array_equal(codes[:count], np.arange(count)):
        duplicate = invoice_ids[np.flatnonzero(codes[:count] != np.arange(count))[0]]
        raise ValueError(f"invoice_id '{duplicate}' appears more than once in the ledger")
    positions = codes[count:]
    if (missing := positions >= count).any():
        raise ValueError(
            f"{int(missing.sum())} payment(s) reference invoices not in the ledger "
            f"(e.g. invoice_id '{payment_ids[missing][0]}')"
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
        pay_invoice=positions,
        pay_on=pay_on,
        pay_amount=ledger.payments["amount"].to_numpy(dtype=float) * factor[positions],
    )
