"""Alert, alert event, outbox, silence and routing-log tables."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agent.db.base import Base
from agent.db.types import UTCDateTime, utcnow


class Alert(Base):
    """One alert, identified by (rule, account, invoice or none); re-evaluation updates it."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_account_state", "account_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "rule|account_id|invoice_id-or-empty": unique even where invoice_id is NULL.
    identity: Mapped[str] = mapped_column(String(400), unique=True)
    rule: Mapped[str] = mapped_column(String(200), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16), default="firing")
    severity: Mapped[str] = mapped_column(String(16), default="medium")
    labels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    message: Mapped[str] = mapped_column(Text, default="")
    first_fired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_fired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str | None] = mapped_column(String(64))
    snooze_reason: Mapped[str | None] = mapped_column(String(200))
    # False once the condition cleared: a person's close then stays closed until it fires anew.
    condition_active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AlertEvent(Base):
    """A change of an alert's state, with who made it, when and through which channel."""

    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(320))
    # web | api | email | slack | crm | extension | cli; None for the engine's own changes.
    channel: Mapped[str | None] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class OutboxMessage(Base):
    """One notification to deliver: a row per (alert group, receiver, notification).

    ``dedup_key`` is unique so that a retried cycle cannot enqueue the same notification
    twice. ``status``: pending (until ``next_attempt_at``) -> batched into the message
    ``delivery_id`` -> sent | failed, or muted / undeliverable with the reason in
    ``last_error``.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(400), unique=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="SET NULL"))
    receiver: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("deliveries.id", ondelete="SET NULL"), index=True
    )
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    external_ref: Mapped[str | None] = mapped_column(String(255))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SilenceRow(Base):
    """A person's decision to mute alerts matching ``matchers`` between two instants."""

    __tablename__ = "silences"

    id: Mapped[int] = mapped_column(primary_key=True)
    matchers: Mapped[list[str]] = mapped_column(JSON, default=list)
    creator: Mapped[str] = mapped_column(String(320))
    reason: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RoutingGroupSend(Base):
    """Routing's log: when a notification group was last handed to delivery, and its alerts."""

    __tablename__ = "routing_group_sends"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_hash: Mapped[str] = mapped_column(String(64), unique=True)
    group_key: Mapped[list[Any]] = mapped_column(JSON)  # [route, receiver, address, [[label, value]...]]
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    alert_keys: Mapped[list[Any]] = mapped_column(JSON, default=list)


class RoutingEscalation(Base):
    """Routing's log: an alert escalated to a recipient (once)."""

    __tablename__ = "routing_escalations"
    __table_args__ = (UniqueConstraint("alert_identity", "recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_identity: Mapped[str] = mapped_column(String(400))
    recipient: Mapped[str] = mapped_column(String(320))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class RoutingDailySends(Base):
    """Routing's log: direct messages a person was sent on a local day (the noise budget)."""

    __tablename__ = "routing_daily_sends"
    __table_args__ = (UniqueConstraint("person", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person: Mapped[str] = mapped_column(String(320))
    day: Mapped[date] = mapped_column(Date, index=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
