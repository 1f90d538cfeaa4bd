"""Stored risk scores: one row per open invoice per scoring day, with the model version."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agent.db.base import Base
from agent.db.types import UTCDateTime, utcnow


class RiskScore(Base):
    """An invoice's risk as of a day: P(late), expected days late and pay date, reasons.

    A re-run on the same day replaces that day's row; ``latest`` marks the rows of the
    most recent scoring run, so "the current risk of an invoice" is one indexed lookup.
    """

    __tablename__ = "risk_scores"
    __table_args__ = (
        UniqueConstraint("invoice_id", "as_of"),
        Index("ix_risk_scores_latest_invoice_id", "latest", "invoice_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    model_version: Mapped[str] = mapped_column(String(64))
    as_of: Mapped[date] = mapped_column(Date, index=True)
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    p_late: Mapped[float] = mapped_column(Float)
    expected_days_late: Mapped[float] = mapped_column(Float)
    expected_pay_date: Mapped[date] = mapped_column(Date)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    latest: Mapped[bool] = mapped_column(Boolean, default=True)
