"""API shapes of job runs and sync runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class JobRunRead(BaseModel):
    """One run of a scheduled job."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    duration_ms: int | None
    runner: str
    detail: str | None
    error: str | None


class SyncRunRead(BaseModel):
    """One sync of one source."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    source: str
    full: bool
    status: str
    started_at: datetime
    finished_at: datetime | None
    records_read: int
    records_changed: int
    api_calls: int
    errors: list[Any]
    detail: str | None
