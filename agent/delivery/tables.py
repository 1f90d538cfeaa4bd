"""The ``deliveries`` table: one message to one recipient on one channel, carrying outbox rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from agent.db.base import Base
from agent.db.types import UTCDateTime, utcnow

# queued -> sending -> sent; a retryable error -> retrying (-> sending again) -> failed after
# the last attempt; muted (every alert silenced, inhibited or no longer firing at send time);
# undeliverable (no address or no notifier for the channel, decided at enqueue).
STATES = ("queued", "sending", "retrying", "sent", "failed", "muted", "undeliverable")
OPEN_STATES = ("queued", "sending", "retrying")


class Delivery(Base):
    """One message: the outbox rows due for the same (channel, recipient), sent as one.

    ``key`` is stable across retries (notifiers use it for idempotency, e.g. as Message-ID);
    ``state`` is committed as ``sending`` before the vendor call and ``sent`` with the
    vendor's id right after, so a crash in between is retried with the same key.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_due", "state", "next_attempt_at"),
        Index("ix_deliveries_recipient", "recipient"),
        Index("ix_deliveries_group", "channel", "recipient", "group_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(320))
    recipient_name: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # alerts | digest | escalation | reminder | update
    # ``account:<id>`` on channels whose notifier sends one message per account and edits it
    # (``per_account``); an ``update`` message re-renders the group's last one in place.
    group_key: Mapped[str | None] = mapped_column(String(64))
    # The newest alert event the sent content reflects: a newer one makes the message stale.
    seen_event_id: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why it is muted, undeliverable or failed (the vendor's error), in words.
    last_error: Mapped[str | None] = mapped_column(Text)
    silence_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    alert_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    vendor_ref: Mapped[str | None] = mapped_column(String(255))
    subject: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    body: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
