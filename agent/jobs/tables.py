"""The run record of every scheduled job that is not a sync (syncs use ``sync_runs``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from agent.db.base import Base
from agent.db.types import UTCDateTime, utcnow


class JobRun(Base):
    """One run of one job: when, how long, how it ended, on which replica."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running|ok|failed|skipped_locked
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    runner: Mapped[str] = mapped_column(String(128))  # host:pid, to tell replicas apart
    detail: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
