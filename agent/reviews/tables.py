"""The ``match_reviews`` table: a source record that matched several accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from agent.db.base import Base
from agent.db.types import UTCDateTime, utcnow

REVIEW_STATUSES = ("open", "resolved")


class MatchReview(Base):
    """An ambiguous match waiting for a person.

    The record lives meanwhile on a provisional account (``provisional_account_id``) so its
    invoices are not lost; resolving merges that account into the chosen one, or keeps it
    as a new account.
    """

    __tablename__ = "match_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(128))
    record_name: Mapped[str | None] = mapped_column(String(300))
    record_domain: Mapped[str | None] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(String(64))
    # Account ids the record could be.
    candidates: Mapped[list[Any]] = mapped_column(JSON, default=list)
    provisional_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    chosen_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
