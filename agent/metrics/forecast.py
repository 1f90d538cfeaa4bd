"""13-week cash forecast: when each open invoice is expected to be paid, summed per week.

An open invoice is expected on its due date plus a delay in days: the override given
for it (the payment-delay model's prediction), else its customer's historical average
days late (amount-weighted, over invoices settled on or before the as-of date), else 0
when the customer has no settled invoice yet. Week 1 starts the day after as-of and
also holds every invoice whose expected date has already passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from agent.metrics.book import Book, day_number, prepare
from agent.metrics.rates import Rates
from agent.metrics.sums import Window, invoice_balances
from ledger.frame import Ledger

WEEK = 7


@dataclass(frozen=True)
class ForecastWeek:
    """Expected collections in the seven days from ``week_start``."""

    week_start: date
    expected_amount: float
    invoice_count: int


@dataclass(frozen=True)
class Forecast:
    """Expected collections per week after ``as_of``; what falls later is in ``beyond_*``."""

    as_of: date
    currency: str
    weeks: list[ForecastWeek]
    beyond_amount: float
    beyond_count: int
    without_history_count: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "as_of": self.as_of.isoformat(),
            "currency": self.currency,
            "weeks": [
                {
                    "week_start": week.week_start.isoformat(),
                    "expected_amount": round(week.expected_amount, 2),
                    "invoice_count": week.invoice_count,
                }
                for week in self.weeks
            ],
            "beyond_amount": round(self.beyond_amount, 2),
            "beyond_count": self.beyond_count,
            "without_history_count": self.without_history_count,
        }


def customer_delays(book: Book, customers: np.ndarray, as_of: int) -> tuple[np.ndarray, np.ndarray]:
    """Per invoice: its customer's average days late, and whether the customer has history."""
    settled = np.flatnonzero((book.settled <= as_of) & (book.amount > 0))
    groups = int(customers.max()) + 1 if customers.size else 0
    late = np.maximum(book.settled[settled] - book.due[settled], 0)
    weight = np.bincount(customers[settled], weights=book.amount[settled], minlength=groups)
    total = np.bincount(customers[settled], weights=book.amount[settled] * late, minlength=groups)
    known = weight > 0
    average = np.where(known, total / np.where(known, weight, 1.0), 0.0)
    return average[customers], known[customers]


def _overrides(ledger: Ledger, expected_days_late: pd.Series) -> np.ndarray:
    """The override per invoice row (NaN where none is given)."""
    positions = pd.Index(ledger.invoices["invoice_id"]).get_indexer(expected_days_late.index)
    if (unknown := positions < 0).any():
        example = expected_days_late.index[unknown][0]
        raise ValueError(f"expected_days_late: invoice_id '{example}' is not in the ledger")
    out = np.full(len(ledger.invoices), np.nan)
    out[positions] = expected_days_late.to_numpy(dtype=float)
    return out


def cash_forecast(
    ledger: Ledger,
    as_of: date,
    weeks: int = 13,
    rates: Rates | None = None,
    expected_days_late: pd.Series | None = None,
) -> Forecast:
    """Expected collections per week for ``weeks`` weeks after ``as_of``.

    ``expected_days_late`` (indexed by invoice_id) overrides the customer average for
    the invoices it names. Open credit notes are not collections and are left out.
    """
    book = prepare(ledger, rates)
    end = day_number(as_of)
    balance, _, _ = invoice_balances(book, Window(as_of, 1))
    customers, _ = pd.factorize(ledger.invoices["customer_id"].to_numpy())
    delay, known = customer_delays(book, customers, end)
    if expected_days_late is not None:
        override = _overrides(ledger, expected_days_late)
        given = ~np.isnan(override)
        delay, known = np.where(given, override, delay), known | given
    open_rows = np.flatnonzero(balance > 0)
    expected = book.due[open_rows] + np.round(delay[open_rows]).astype(np.int64)
    week = np.maximum(expected - end - 1, 0) // WEEK
    amounts = np.bincount(week.clip(max=weeks), weights=balance[open_rows], minlength=weeks + 1)
    counts = np.bincount(week.clip(max=weeks), minlength=weeks + 1)
    return Forecast(
        as_of=as_of,
        currency=book.currency,
        weeks=[
            ForecastWeek(as_of + timedelta(days=1 + WEEK * k), float(amounts[k]), int(counts[k]))
            for k in range(weeks)
        ],
        beyond_amount=float(amounts[weeks]),
        beyond_count=int(counts[weeks]),
        without_history_count=int((~known[open_rows]).sum()),
    )
