"""Stored history: daily snapshots that keep the trend as it was known, even after invoices change.

What is stored (table ``metric_snapshots``, overall and per customer, owner, segment, terms):

- every day, :func:`snapshot_today` (and the cycle's metrics step, through
  :func:`store_days` and :func:`periods_on`) stores the book's 30-day metrics as of today;
- on a month's last day it also stores the two periods a trend point is made of: the
  month (period = its days) and the three months ending on it (the rolling DSO);
- :func:`backfill_month_ends` computes those month-end snapshots for past months from
  the current ledger (the demo does this when it builds its database).

How a trend reads them (:func:`stored_first_trend`): each month of the trend takes the
stored month-end snapshot of the caller's group when there is one in the reporting
currency, and is computed live from the ledger otherwise. The group is the whole book
for book-wide roles, the CSM's owner group for a CSM, the customer group on an account
page; a manager's team is no stored group, so a manager's trend is always live. The
last point, as of today, is always live (today's snapshot may predate a change).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.auth.service import Principal
from agent.ledger.store import load_ledger
from agent.metrics.book import prepare
from agent.metrics.derive import METRIC_NAMES
from agent.metrics.rates import Rates
from agent.metrics.schemas import MONEY, Metrics
from agent.metrics.service import metrics_for_book
from agent.metrics.snapshots import store_snapshot
from agent.metrics.sums import AGING_COLUMNS
from agent.metrics.tables import MetricSnapshot
from agent.metrics.trend import OVERALL, ROLLING_MONTHS, TrendPoint, month_ends, snapshot_rows
from agent.settings import Settings
from ledger.aging import AGING_BUCKETS
from ledger.frame import Ledger

DAILY_PERIOD_DAYS = 30
SnapshotGroup = tuple[str, str]  # (dimension, group_key)


@dataclass(frozen=True)
class Trend:
    """Month-by-month metrics; ``stored`` names the months read from stored snapshots."""

    currency: str
    points: list[TrendPoint]
    stored: frozenset[str]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: each month's metrics, ``rolling_dso_3m`` and ``source`` (snapshot or live)."""
        return {
            "currency": self.currency,
            "months": [
                {**point.to_dict(), "source": "snapshot" if point.month in self.stored else "live"}
                for point in self.points
            ],
        }


def snapshot_group(principal: Principal) -> SnapshotGroup | None:
    """The stored group matching what ``principal`` sees, or None (e.g. a manager's team)."""
    if principal.sees_whole_book:
        return (OVERALL, OVERALL)
    if principal.team_ids == frozenset({principal.person_id}):
        return ("owner", principal.email)
    return None


def months_before(first: date, months: int) -> date:
    """The first day of the month ``months`` months before the month starting on ``first``."""
    index = first.year * 12 + first.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def trend_periods(first: date, as_of: date) -> tuple[int, int]:
    """Period days of a trend point: its month up to ``as_of``, and the rolling three months."""
    rolling_first = months_before(first, ROLLING_MONTHS - 1)
    return (as_of - first).days + 1, (as_of - rolling_first).days + 1


def _stored(
    session: Session, group: SnapshotGroup, days: Collection[date], currency: str
) -> dict[tuple[date, int], MetricSnapshot]:
    dimension, key = group
    rows = session.scalars(
        select(MetricSnapshot).where(
            MetricSnapshot.dimension == dimension,
            MetricSnapshot.group_key == key,
            MetricSnapshot.currency == currency,
            MetricSnapshot.as_of.in_(list(days)),
        )
    )
    return {(row.as_of, row.period_days): row for row in rows}


def snapshot_metrics(row: MetricSnapshot) -> Metrics:
    """A stored snapshot row as :class:`Metrics`."""
    values: dict[str, Any] = {}
    for name in METRIC_NAMES:
        value = getattr(row, name)
        values[name] = float(value) if name in MONEY or value is not None else None
    return Metrics(
        as_of=row.as_of,
        period_days=row.period_days,
        currency=row.currency,
        aging={
            key: float(getattr(row, column)) for key, column in zip(AGING_BUCKETS, AGING_COLUMNS, strict=True)
        },
        undefined=dict(row.undefined or {}),
        **values,
    )


def stored_first_trend(
    *,
    session: Session,
    ledger: Ledger,
    rates: Rates,
    end: date,
    months: int,
    group: SnapshotGroup | None,
) -> Trend:
    """Like :func:`agent.metrics.monthly_trend`, each month from its stored snapshot when there is one."""
    spans = month_ends(end, months)
    # The point as of ``end`` (today) is always live: today's snapshot may predate a change.
    past = [as_of for _, as_of in spans if as_of < end]
    stored = {} if group is None else _stored(session, group, past, rates.reporting_currency)
    book = cache(lambda: prepare(ledger, rates))  # only prepared when a month is computed live

    def metrics(as_of: date, days: int) -> Metrics:
        row = stored.get((as_of, days))
        return snapshot_metrics(row) if row is not None else metrics_for_book(book(), as_of, days)

    points = []
    for first, as_of in spans:
        month_days, rolling_days = trend_periods(first, as_of)
        rolling = metrics(as_of, rolling_days)
        points.append(
            TrendPoint(
                first.strftime("%Y-%m"), metrics(as_of, month_days), rolling.dso, rolling.undefined.get("dso")
            )
        )
    read = {p.month for p in points if (p.metrics.as_of, p.metrics.period_days) in stored}
    return Trend(currency=rates.reporting_currency, points=points, stored=frozenset(read))


def periods_on(as_of: date) -> list[int]:
    """The periods stored for a day: 30 days, and on a month's last day the trend's two."""
    periods = {DAILY_PERIOD_DAYS}
    if (as_of + timedelta(days=1)).day == 1:
        periods.update(trend_periods(as_of.replace(day=1), as_of))
    return sorted(periods)


def store_days(*, session: Session, ledger: Ledger, rates: Rates, days: Sequence[tuple[date, int]]) -> int:
    """Store the snapshot rows of each (as-of, period days); the caller commits. Returns rows stored."""
    if ledger.invoices.empty:
        return 0
    return sum(
        store_snapshot(session=session, rows=snapshot_rows(ledger, as_of, period, rates=rates))
        for as_of, period in days
    )


def snapshot_today(*, session: Session, settings: Settings) -> int:
    """Store today's metrics for the whole book, overall and per group; the caller commits.

    Meant to run once per cycle: a later run the same day replaces the day's rows, so
    the stored day is the last one computed. Returns the number of rows stored.
    """
    as_of = settings.today()
    return store_days(
        session=session,
        ledger=load_ledger(session=session),
        rates=Rates.from_settings(settings),
        days=[(as_of, period) for period in periods_on(as_of)],
    )


def backfill_month_ends(*, session: Session, settings: Settings, months: int = 12) -> int:
    """Store the month-end trend snapshots of the ``months`` complete months before today's month.

    Computed from the ledger as it stands now (the best history there is for a new
    install or the demo); the caller commits. Returns the number of rows stored.
    """
    spans = month_ends(settings.today(), months + 1)[:-1]
    days = [(as_of, period) for first, as_of in spans for period in trend_periods(first, as_of)]
    return store_days(
        session=session,
        ledger=load_ledger(session=session),
        rates=Rates.from_settings(settings),
        days=days,
    )


def customer_snapshots(
    *, session: Session, account_ids: Collection[int], as_of: date, currency: str | None = None
) -> dict[int, MetricSnapshot]:
    """Each account's stored 30-day customer snapshot of ``as_of`` (absent: not stored yet)."""
    query = select(MetricSnapshot).where(
        MetricSnapshot.as_of == as_of,
        MetricSnapshot.period_days == DAILY_PERIOD_DAYS,
        MetricSnapshot.dimension == "customer",
        MetricSnapshot.group_key.in_([str(account_id) for account_id in account_ids]),
    )
    if currency is not None:
        query = query.where(MetricSnapshot.currency == currency)
    return {int(row.group_key): row for row in session.scalars(query)}
