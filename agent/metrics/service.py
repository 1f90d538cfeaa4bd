"""The metrics engine's entry points: whole-book metrics and per-group breakdowns."""

from __future__ import annotations

from datetime import date
from typing import Literal

import numpy as np
import pandas as pd

from agent.metrics.book import Book, prepare
from agent.metrics.derive import derive
from agent.metrics.rates import Rates
from agent.metrics.schemas import Breakdown, Metrics
from agent.metrics.sums import Window, group_sums
from ledger.frame import Ledger

GroupBy = Literal["customer", "terms", "owner", "segment"]
GROUP_COLUMNS: dict[str, str] = {
    "customer": "customer_id",
    "terms": "terms_days",
    "owner": "owner_email",
    "segment": "segment",
}
UNASSIGNED = "unassigned"


def group_codes(ledger: Ledger, by: str) -> tuple[np.ndarray, np.ndarray]:
    """Per invoice, the code of its group, and the group keys (as strings) by code.

    Invoices without an owner or segment (or ledgers without the column) fall in
    the group ``"unassigned"``.
    """
    if by not in GROUP_COLUMNS:
        raise ValueError(f"cannot group by '{by}'; choose one of {', '.join(GROUP_COLUMNS)}")
    column = GROUP_COLUMNS[by]
    invoices = ledger.invoices
    if column not in invoices.columns:
        return np.zeros(len(invoices), dtype=np.intp), np.array([UNASSIGNED], dtype=object)
    codes, keys = pd.factorize(invoices[column].to_numpy())
    labels = np.asarray(keys).astype(str).astype(object)
    if (codes < 0).any():  # missing values: their own group
        codes = np.where(codes < 0, labels.size, codes)
        labels = np.append(labels, UNASSIGNED)
    return codes.astype(np.intp), labels


def compute_metrics(
    ledger: Ledger, as_of: date, period_days: int = 30, rates: Rates | None = None
) -> Metrics:
    """Every receivables metric for the whole ledger at ``as_of`` over ``period_days``."""
    book = prepare(ledger, rates)
    return metrics_for_book(book, as_of, period_days)


def metrics_for_book(book: Book, as_of: date, period_days: int) -> Metrics:
    """:func:`compute_metrics` on an already prepared :class:`Book` (reuse across dates)."""
    window = Window(as_of, period_days)
    sums = group_sums(book, np.zeros(book.size, dtype=np.intp), 1, window)
    return Metrics.from_arrays(
        derive(sums, window), 0, as_of=as_of, period_days=period_days, currency=book.currency
    )


def compute_breakdown(
    ledger: Ledger,
    as_of: date,
    period_days: int = 30,
    by: GroupBy = "customer",
    rates: Rates | None = None,
) -> Breakdown:
    """The metrics per group (customer, terms, owner or segment) and for the whole book."""
    codes, keys = group_codes(ledger, by)
    return breakdown_for_book(prepare(ledger, rates), codes, keys, as_of, period_days, by)


def breakdown_for_book(
    book: Book, codes: np.ndarray, keys: np.ndarray, as_of: date, period_days: int, by: str
) -> Breakdown:
    """:func:`compute_breakdown` on a prepared book and precomputed group codes."""
    window = Window(as_of, period_days)
    sums = group_sums(book, codes, int(keys.size), window)
    total = Metrics.from_arrays(
        derive(sums.total(), window),
        0,
        as_of=as_of,
        period_days=period_days,
        currency=book.currency,
    )
    return Breakdown(by=by, labels=keys, arrays=derive(sums, window), total=total)


def terms_gap(breakdown: Breakdown) -> pd.DataFrame:
    """Who needs attention: per group, DSO minus the sales-weighted terms, largest gap first.

    Ties go to the larger open balance. Groups whose DSO or terms are undefined in
    the period are left out.
    """
    frame = breakdown.frame()[["ar", "dso", "weighted_terms_days"]]
    frame = frame.assign(gap_days=frame["dso"] - frame["weighted_terms_days"]).dropna()
    return frame.sort_values(["gap_days", "ar"], ascending=False, kind="stable")
