"""The one wrapper every scheduled job runs through: lock, time, record, log, roll back."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Literal, Protocol, TypeVar

from sqlalchemy import update

from agent.db.database import Database
from agent.db.types import utcnow
from agent.jobs.liveness import INTERRUPTED, RUNNER, reap_dead_job_runs
from agent.jobs.locks import job_lock
from agent.jobs.tables import JobRun

log = logging.getLogger("nudge.jobs")
RunStatus = Literal["ok", "failed", "skipped_locked"]


class JobResult(Protocol):
    """What a job returns: a one-line summary, and the error of a failure it survived."""

    def summary(self) -> str: ...

    @property
    def error(self) -> str | None: ...


R = TypeVar("R", bound=JobResult)


@dataclass(frozen=True)
class JobOutcome(Generic[R]):
    """How one run of a job ended; ``result`` is None unless the job returned."""

    name: str
    status: RunStatus
    duration_ms: int
    result: R | None = None
    error: str | None = None


def run_job(*, database: Database, name: str, work: Callable[[], R]) -> JobOutcome[R]:
    """Run ``work`` unless another runner holds the job's lock, and record the run in ``job_runs``.

    ``work`` owns its transactions (through ``database.transaction()``, which rolls back on
    error); an exception is recorded as a failed run and logged with its traceback.
    """
    with job_lock(database, name) as held:
        if not held:
            log.info("job %s skipped: another runner holds its lock", name)
            _record_skipped(database, name)
            return JobOutcome(name=name, status="skipped_locked", duration_ms=0)
        run_id = _record_start(database, name)
        started = time.perf_counter()
        try:
            result = work()
        except Exception as exc:
            outcome: JobOutcome[R] = JobOutcome(name, "failed", _ms_since(started), error=_describe(exc))
            log.exception("job %s failed after %d ms", name, outcome.duration_ms)
        else:
            status: RunStatus = "failed" if result.error else "ok"
            outcome = JobOutcome(name, status, _ms_since(started), result=result, error=result.error)
            log.info("job %s %s in %d ms: %s", name, status, outcome.duration_ms, result.summary())
        _record_finish(database, run_id, outcome)
        return outcome


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _ms_since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


def _record_start(database: Database, name: str) -> int:
    with database.transaction() as session:
        # We hold the job's lock, so a run of it still marked running lost its runner.
        session.execute(
            update(JobRun)
            .where(JobRun.name == name, JobRun.status == "running")
            .values(status="failed", finished_at=utcnow(), error=INTERRUPTED)
        )
        reap_dead_job_runs(session=session, now=utcnow())
        run = JobRun(name=name, status="running", runner=RUNNER)
        session.add(run)
        session.flush()
        return run.id


def _record_finish(database: Database, run_id: int, outcome: JobOutcome[R]) -> None:
    with database.transaction() as session:
        run = session.get_one(JobRun, run_id)
        run.status = outcome.status
        run.finished_at = utcnow()
        run.duration_ms = outcome.duration_ms
        run.detail = outcome.result.summary() if outcome.result is not None else None
        run.error = outcome.error


def _record_skipped(database: Database, name: str) -> None:
    now = utcnow()
    with database.transaction() as session:
        session.add(
            JobRun(
                name=name,
                status="skipped_locked",
                started_at=now,
                finished_at=now,
                duration_ms=0,
                runner=RUNNER,
                detail="another runner holds this job's lock",
            )
        )
