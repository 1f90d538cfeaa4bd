"""API shapes of the review queue."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from agent.gate.params import RowId


class CandidateRead(BaseModel):
    """An account the record could be."""

    id: int
    name: str
    domain: str | None


class ReviewRead(BaseModel):
    """An ambiguous match."""

    id: int
    source: str
    external_id: str
    record_name: str | None
    record_domain: str | None
    reason: str
    status: str
    provisional_account_id: int | None
    chosen_account_id: int | None
    candidates: list[CandidateRead]
    created_at: datetime
    resolved_at: datetime | None


class ReviewResolve(BaseModel):
    """The decision: an existing account's id, or ``"new"`` to keep the record's own account."""

    account_id: RowId | Literal["new"]
