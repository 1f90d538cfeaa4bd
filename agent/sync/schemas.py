"""API shapes of sync runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class SyncRunRead(BaseModel):
    """One sync run as the API shows it."""

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
