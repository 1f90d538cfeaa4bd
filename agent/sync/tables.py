"""Sync cursor and sync run tables."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agent.db.base import Base
from agent.db.types import UTCDateTime, utcnow


class SyncCursor(Base):
    """Where the next incremental pull of one object type from one source starts."""

    __tablename__ = "sync_cursors"

    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    object_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    cursor: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class WebhookDelivery(Base):
    """A verified webhook delivery, remembered so a replay of it is refused (across replicas)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("route", "delivery_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    route: Mapped[str] = mapped_column(String(200))
    delivery_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of the connector's delivery id
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class SyncRun(Base):
    """One sync of one source (or one file import): counts, API calls, errors."""

    __tablename__ = "sync_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32), index=True)
    full: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running|ok|failed|skipped_locked
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    runner: Mapped[str | None] = mapped_column(String(128))  # host:pid of the process running it
    records_read: Mapped[int] = mapped_column(Integer, default=0)
    records_changed: Mapped[int] = mapped_column(Integer, default=0)
    api_calls: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    detail: Mapped[str | None] = mapped_column(Text)


class CrmDeal(Base):
    """The last known state of a CRM deal, from which open-deal and renewal signals derive."""

    __tablename__ = "crm_deals"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(128))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), index=True)
    name: Mapped[str | None] = mapped_column(String(300))
    stage: Mapped[str | None] = mapped_column(String(64))
    close_date: Mapped[date | None] = mapped_column(Date)
    is_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    is_renewal: Mapped[bool] = mapped_column(Boolean, default=False)
