"""Daily metric snapshots: the metrics as they were known on each day, overall and per group.

Not yet in ``agent.schema`` nor in a migration: the lead adds both.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, Float, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agent.db.base import Base
from agent.db.types import Money, UTCDateTime, utcnow


class MetricSnapshot(Base):
    """One day's metrics for the whole book (dimension ``all``) or one group of a dimension.

    Money is in ``currency`` (the reporting currency); a null metric was undefined that
    day and ``undefined`` says why.
    """

    __tablename__ = "metric_snapshots"
    __table_args__ = (UniqueConstraint("as_of", "period_days", "dimension", "group_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, index=True)
    period_days: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    # all | customer | terms | owner | segment; group_key is "all" for the whole book.
    dimension: Mapped[str] = mapped_column(String(16))
    group_key: Mapped[str] = mapped_column(String(320))
    ar: Mapped[Decimal] = mapped_column(Money)
    credit_sales: Mapped[Decimal] = mapped_column(Money)
    dso: Mapped[float | None] = mapped_column(Float)
    dso_average_ar: Mapped[float | None] = mapped_column(Float)
    best_possible_dso: Mapped[float | None] = mapped_column(Float)
    delinquent_dso: Mapped[float | None] = mapped_column(Float)
    countback_dso: Mapped[float | None] = mapped_column(Float)
    cei: Mapped[float | None] = mapped_column(Float)
    percent_current: Mapped[float | None] = mapped_column(Float)
    late_rate: Mapped[float | None] = mapped_column(Float)
    average_days_to_pay: Mapped[float | None] = mapped_column(Float)
    average_days_late: Mapped[float | None] = mapped_column(Float)
    weighted_terms_days: Mapped[float | None] = mapped_column(Float)
    aging_current: Mapped[Decimal] = mapped_column(Money)
    aging_1_30: Mapped[Decimal] = mapped_column(Money)
    aging_31_60: Mapped[Decimal] = mapped_column(Money)
    aging_61_90: Mapped[Decimal] = mapped_column(Money)
    aging_91_plus: Mapped[Decimal] = mapped_column(Money)
    undefined: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
