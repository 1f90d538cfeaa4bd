"""API routes of run records: ``/api/jobs/runs`` and ``/api/sync/runs`` (admin, ops, finance)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from agent.auth.deps import ApiUser, DbSession, require_role
from agent.db.types import utcnow
from agent.scheduler import service
from agent.scheduler.schemas import JobRunRead, SyncRunRead

router = APIRouter(prefix="/api", tags=["runs"])
Limit = Annotated[int, Query(ge=1, le=1000)]
Filter = Annotated[str | None, Query(max_length=64)]


@router.get("/jobs/runs", response_model=list[JobRunRead])
def job_runs(
    session: DbSession, user: ApiUser, name: Filter = None, status: Filter = None, limit: Limit = 100
) -> list[JobRunRead]:
    """Recent runs of scheduled jobs (the cycle and others), newest first."""
    require_role(user, *service.RUN_VIEWERS)
    service.reap_dead_runs(session=session, now=utcnow())
    session.commit()
    runs = service.recent_job_runs(session=session, name=name, status=status, limit=limit)
    return [JobRunRead.model_validate(run) for run in runs]


@router.get("/sync/runs", response_model=list[SyncRunRead])
def sync_runs(
    session: DbSession, user: ApiUser, source: Filter = None, status: Filter = None, limit: Limit = 100
) -> list[SyncRunRead]:
    """Recent syncs and imports, newest first."""
    require_role(user, *service.RUN_VIEWERS)
    service.reap_dead_runs(session=session, now=utcnow())
    session.commit()
    runs = service.recent_sync_runs(session=session, source=source, status=status, limit=limit)
    return [SyncRunRead.model_validate(run) for run in runs]
