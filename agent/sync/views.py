"""``GET /api/sync/runs``: recent sync runs, newest first (admin, ops, finance)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from agent.auth.deps import ApiUser, DbSession, require_role
from agent.sync.schemas import SyncRunRead
from agent.sync.tables import SyncRun

router = APIRouter(prefix="/api/sync", tags=["sync"])


@router.get("/runs", response_model=list[SyncRunRead])
def list_runs(
    session: DbSession,
    user: ApiUser,
    source: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[SyncRunRead]:
    """The latest runs, optionally of one source."""
    require_role(user, "admin", "ops", "finance")
    query = select(SyncRun).order_by(SyncRun.started_at.desc(), SyncRun.id.desc()).limit(limit)
    if source:
        query = query.where(SyncRun.source == source)
    return [SyncRunRead.model_validate(run) for run in session.scalars(query)]
