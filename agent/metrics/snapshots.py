"""Store and read daily metric snapshots (rows from :func:`agent.metrics.trend.snapshot_rows`)."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

import pandas as pd
from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.orm import Session

from agent.metrics.tables import MetricSnapshot

SNAPSHOT_COLUMNS: tuple[str, ...] = tuple(
    column.name for column in MetricSnapshot.__table__.columns if column.name not in {"id", "computed_at"}
)


def store_snapshot(*, session: Session, rows: pd.DataFrame) -> int:
    """Replace the stored snapshots of the (as_of, period_days) pairs in ``rows``; caller commits."""
    days = rows[["as_of", "period_days"]].drop_duplicates().itertuples(index=False, name=None)
    keys = [(as_of, int(period)) for as_of, period in days]
    if keys:
        pair = tuple_(MetricSnapshot.as_of, MetricSnapshot.period_days)
        session.execute(delete(MetricSnapshot).where(pair.in_(keys)))
    frame = rows.loc[:, list(SNAPSHOT_COLUMNS)].astype(object)
    records = cast(list[dict[str, Any]], frame.where(frame.notna(), None).to_dict("records"))
    if records:
        session.execute(insert(MetricSnapshot), records)
    return len(records)


def load_snapshots(
    *,
    session: Session,
    dimension: str = "all",
    group_key: str = "all",
    period_days: int = 30,
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """The stored snapshots of one group (default: the whole book), oldest first."""
    query = select(MetricSnapshot).where(
        MetricSnapshot.dimension == dimension,
        MetricSnapshot.group_key == group_key,
        MetricSnapshot.period_days == period_days,
    )
    if start is not None:
        query = query.where(MetricSnapshot.as_of >= start)
    if end is not None:
        query = query.where(MetricSnapshot.as_of <= end)
    found = session.scalars(query.order_by(MetricSnapshot.as_of)).all()
    return pd.DataFrame(
        [{name: getattr(row, name) for name in SNAPSHOT_COLUMNS} for row in found],
        columns=list(SNAPSHOT_COLUMNS),
    )
