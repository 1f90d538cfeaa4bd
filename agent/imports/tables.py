"""File import batches and the rows they rejected (kept for the user to fix)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from agent.db.base import Base
from agent.db.types import UTCDateTime, utcnow


class ImportBatch(Base):
    """One run of ``nudge import``."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(500))
    mapping: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(32))
    loaded: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(320))


class ImportReject(Base):
    """A row that was not loaded, with its line number, the reason and its raw values."""

    __tablename__ = "import_rejects"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id", ondelete="CASCADE"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
