"""Reading run records, newest first, after marking failed the runs whose process died."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.jobs.liveness import reap_dead_job_runs
from agent.jobs.tables import JobRun
from agent.sync.runs import reap_dead_sync_runs
from agent.sync.tables import SyncRun

RUN_VIEWERS = ("admin", "ops", "finance")


def reap_dead_runs(*, session: Session, now: datetime) -> int:
    """Mark failed the job and sync runs of this host whose process is gone (caller commits)."""
    return reap_dead_job_runs(session=session, now=now) + reap_dead_sync_runs(session=session, now=now)


def recent_job_runs(
    *, session: Session, name: str | None = None, status: str | None = None, limit: int = 100
) -> Sequence[JobRun]:
    """The latest job runs, optionally of one job or with one status."""
    query = select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)
    if name is not None:
        query = query.where(JobRun.name == name)
    if status is not None:
        query = query.where(JobRun.status == status)
    return session.scalars(query).all()


def recent_sync_runs(
    *, session: Session, source: str | None = None, status: str | None = None, limit: int = 100
) -> Sequence[SyncRun]:
    """The latest sync runs, optionally of one source or with one status."""
    query = select(SyncRun).order_by(SyncRun.started_at.desc(), SyncRun.id.desc()).limit(limit)
    if source is not None:
        query = query.where(SyncRun.source == source)
    if status is not None:
        query = query.where(SyncRun.status == status)
    return session.scalars(query).all()
