"""Month-by-month metrics with a 3-month rolling DSO, and daily snapshot rows to persist."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from agent.metrics.book import Book, prepare
from agent.metrics.derive import METRIC_NAMES
from agent.metrics.rates import Rates
from agent.metrics.schemas import Breakdown, Metrics
from agent.metrics.service import breakdown_for_book, group_codes, metrics_for_book
from agent.metrics.sums import AGING_COLUMNS
from ledger.frame import Ledger

ROLLING_MONTHS = 3


@dataclass(frozen=True)
class TrendPoint:
    """One month's metrics (as of its last day, or of the trend's end for the last month)."""

    month: str
    metrics: Metrics
    rolling_dso_3m: float | None
    rolling_reason: str | None

    def to_dict(self) -> dict[str, Any]:
        """The month's metrics plus ``month`` and ``rolling_dso_3m`` (reason in ``undefined``)."""
        out = {"month": self.month, **self.metrics.to_dict(), "rolling_dso_3m": self.rolling_dso_3m}
        if self.rolling_reason is not None:
            out["undefined"] = {**out["undefined"], "rolling_dso_3m": self.rolling_reason}
        return out


def month_ends(end: date, months: int) -> list[tuple[date, date]]:
    """(first day, as-of) of the ``months`` months up to ``end``, oldest first.

    Each as-of is its month's last day, except the last month which stops at ``end``.
    """
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    firsts = np.datetime64(end, "M") - np.arange(months)[::-1]
    out = []
    for first in firsts:
        start = first.astype("datetime64[D]").astype(date)
        last = (first + 1).astype("datetime64[D]").astype(date) - timedelta(days=1)
        out.append((start, min(last, end)))
    return out


def _rolling_start(first: date) -> date:
    month = np.datetime64(first, "M") - (ROLLING_MONTHS - 1)
    return month.astype("datetime64[D]").astype(date)


def trend_for_book(book: Book, end: date, months: int = 12) -> list[TrendPoint]:
    """:func:`monthly_trend` on a prepared book."""
    points = []
    for first, as_of in month_ends(end, months):
        metrics = metrics_for_book(book, as_of, (as_of - first).days + 1)
        # DSO over the three months ending on as-of: ar / their sales x their days.
        rolling = metrics_for_book(book, as_of, (as_of - _rolling_start(first)).days + 1)
        points.append(
            TrendPoint(
                month=first.strftime("%Y-%m"),
                metrics=metrics,
                rolling_dso_3m=rolling.dso,
                rolling_reason=rolling.undefined.get("dso"),
            )
        )
    return points


def monthly_trend(
    ledger: Ledger, end: date, months: int = 12, rates: Rates | None = None
) -> list[TrendPoint]:
    """Metrics for each of the ``months`` months up to ``end`` (period = the month's days)."""
    return trend_for_book(prepare(ledger, rates), end, months)


SNAPSHOT_DIMENSIONS: tuple[str, ...] = ("customer", "terms", "owner", "segment")
OVERALL = "all"


def _snapshot_frame(breakdown: Breakdown, dimension: str) -> pd.DataFrame:
    frame = breakdown.frame().rename_axis("group_key").reset_index()
    reasons = breakdown.arrays.reasons
    undefined = [
        {name: str(texts[row]) for name, texts in reasons.items() if texts[row] is not None}
        for row in range(len(frame))
    ]
    frame["undefined"] = pd.Series(undefined, index=frame.index, dtype=object)
    return frame.assign(dimension=dimension)


def _overall_frame(total: Metrics) -> pd.DataFrame:
    row: dict[str, Any] = {name: getattr(total, name) for name in METRIC_NAMES}
    row.update(zip(AGING_COLUMNS, total.aging.values(), strict=True))
    frame = pd.DataFrame([{"group_key": OVERALL, **row}]).assign(dimension=OVERALL)
    frame["undefined"] = pd.Series([dict(total.undefined)], index=frame.index, dtype=object)
    return frame


def snapshot_rows(
    ledger: Ledger,
    as_of: date,
    period_days: int = 30,
    dimensions: Sequence[str] = SNAPSHOT_DIMENSIONS,
    rates: Rates | None = None,
) -> pd.DataFrame:
    """One row per (dimension, group) of the day's metrics, plus the overall row.

    Columns: ``as_of, period_days, currency, dimension, group_key``, every metric
    (NaN where undefined), the aging buckets (``aging_current`` ... ``aging_91_plus``)
    and ``undefined`` (metric -> reason); the columns of ``metric_snapshots``. Persisting
    these daily keeps the trend as it was known, even after invoices change later.
    """
    book = prepare(ledger, rates)
    frames = []
    for dimension in dimensions:
        codes, keys = group_codes(ledger, dimension)
        breakdown = breakdown_for_book(book, codes, keys, as_of, period_days, dimension)
        frames.append(_snapshot_frame(breakdown, dimension))
    total = metrics_for_book(book, as_of, period_days)
    frames.insert(0, _overall_frame(total))
    rows = pd.concat(frames, ignore_index=True)
    rows = rows.assign(as_of=as_of, period_days=period_days, currency=book.currency)
    leading = ["as_of", "period_days", "currency", "dimension", "group_key"]
    return rows[leading + [c for c in rows.columns if c not in leading]]
