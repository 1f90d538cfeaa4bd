"""A ledger as flat numpy arrays in the reporting currency: what every metric is computed from.

Dates are whole day numbers (days since 1970-01-01) so that "on or before the as-of
date" is an integer comparison; an open invoice's settlement day is :data:`NEVER`.

A balance on day ``d`` is ``amount - paid_total + (payments after d)``: ``paid_total``
is everything paid to date, so only the payments dated in or after a period need to be
matched to their invoices. That match is a hash of invoice ids, the costliest step on
large books, and it stays small because it only involves invoices still open when the
period starts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import pandas as pd
from pandas.errors import InvalidIndexError

from agent.metrics.rates import Rates
from ledger.frame import Ledger

NEVER = np.iinfo(np.int64).max // 4


@dataclass(frozen=True)
class Payments:
    """Payments matched to invoice rows: position, day (not before issue), amount converted."""

    invoice: np.ndarray
    on: np.ndarray
    amount: np.ndarray


@dataclass(frozen=True)
class Book:
    """Invoice columns as arrays, and the payments to match to them on demand."""

    currency: str
    amount: np.ndarray
    paid_total: np.ndarray
    issue: np.ndarray
    due: np.ndarray
    settled: np.ndarray
    terms: np.ndarray
    factor: np.ndarray
    invoice_ids: np.ndarray
    payment_ids: np.ndarray
    pay_on: np.ndarray
    pay_amount: np.ndarray

    @property
    def size(self) -> int:
        """Number of invoices."""
        return int(self.amount.size)

    def payments_since(self, start: int) -> Payments:
        """The payments dated on or after day ``start``, matched to their invoices."""
        late = np.flatnonzero(self.pay_on >= start)
        # Settled before ``start`` means its last payment came before it: not a candidate.
        candidates = np.flatnonzero(self.settled >= start)
        found = _lookup(self.invoice_ids[candidates], self.payment_ids[late])
        positions = np.full(late.size, -1, dtype=np.intp)
        positions[found >= 0] = candidates[found[found >= 0]]
        if (stray := positions < 0).any():
            positions[stray] = _lookup(self.invoice_ids, self.payment_ids[late[stray]])
            if (unknown := positions < 0).any():
                example = self.payment_ids[late[unknown]][0]
                raise ValueError(
                    f"{int(unknown.sum())} payment(s) reference invoices not in the ledger "
                    f"(e.g. invoice_id '{example}')"
                )
        return Payments(
            invoice=positions,
            on=np.maximum(self.pay_on[late], self.issue[positions]),
            amount=self.pay_amount[late] * self.factor[positions],
        )


def _lookup(index: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Positions of ``wanted`` in ``index`` (-1 if absent)."""
    try:
        return pd.Index(index).get_indexer(wanted)
    except InvalidIndexError:
        duplicated = pd.Index(index)[pd.Index(index).duplicated()][0]
        raise ValueError(f"invoice_id '{duplicated}' appears more than once in the ledger") from None


def day_number(day: date) -> int:
    """Days since 1970-01-01."""
    return int(np.datetime64(day, "D").astype(np.int64))


def _days(values: pd.Series) -> np.ndarray:
    days = values.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)
    return np.where(days == np.iinfo(np.int64).min, NEVER, days)  # NaT: not yet


def _paid_total(ledger: Ledger, book: Book) -> np.ndarray:
    """Paid to date per invoice: ``amount_paid``, unless the payments say otherwise.

    When the payments do not add up to the invoices' ``amount_paid``, the payments are
    the record: they are matched in full and summed per invoice.
    """
    recorded = float(ledger.invoices["amount_paid"].sum())
    if math.isclose(float(book.pay_amount.sum()), recorded, rel_tol=1e-9, abs_tol=0.01):
        return book.paid_total
    every = book.payments_since(np.iinfo(np.int64).min)
    return np.bincount(every.invoice, weights=every.amount, minlength=book.size)


def prepare(ledger: Ledger, rates: Rates | None = None) -> Book:
    """Convert ``ledger`` to a :class:`Book` in the reporting currency of ``rates``."""
    rates = rates or Rates.default()
    invoices, payments = ledger.invoices, ledger.payments
    factor = rates.factors(invoices["currency"])
    book = Book(
        currency=rates.reporting_currency,
        amount=invoices["amount"].to_numpy(dtype=float) * factor,
        paid_total=invoices["amount_paid"].to_numpy(dtype=float) * factor,
        issue=_days(invoices["issue_date"]),
        due=_days(invoices["due_date"]),
        settled=_days(invoices["paid_date"]),
        terms=invoices["terms_days"].to_numpy(dtype=np.int64),
        factor=factor,
        invoice_ids=invoices["invoice_id"].to_numpy(),
        payment_ids=payments["invoice_id"].to_numpy(),
        pay_on=_days(payments["paid_on"]),
        pay_amount=payments["amount"].to_numpy(dtype=float),
    )
    return replace(book, paid_total=_paid_total(ledger, book))
