"""Running one source's sync under its lock and recording it in ``sync_runs``.

``agent.sync.service.run_sync`` is the one way to sync a source; the scheduler's jobs and
the cycle's ``sync`` step record a prepared runner with :func:`record_sync`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from agent.db.database import Database
from agent.db.types import utcnow
from agent.jobs.liveness import INTERRUPTED, RUNNER, runner_gone
from agent.jobs.locks import job_lock
from agent.jobs.wrapper import RunStatus
from agent.sync.result import SyncFailedError, SyncResult
from agent.sync.tables import SyncRun

log = logging.getLogger("nudge.jobs")
SyncRunner = Callable[[], SyncResult]


@dataclass(frozen=True)
class SyncOutcome:
    """How one sync run ended."""

    source: str
    status: RunStatus
    duration_ms: int
    result: SyncResult | None = None
    error: str | None = None


def sync_job_name(source: str) -> str:
    """The job (and lock) name of a source's sync."""
    return f"sync:{source}"


def record_sync(*, database: Database, source: str, run: SyncRunner) -> SyncOutcome:
    """Sync ``source`` unless another runner is syncing it; record the run either way."""
    with job_lock(database, sync_job_name(source)) as held:
        if not held:
            log.info("sync of %s skipped: another runner holds its lock", source)
            _record(database, SyncRun(source=source, status="skipped_locked", finished_at=utcnow()))
            return SyncOutcome(source=source, status="skipped_locked", duration_ms=0)
        run_id = _record_start(database, source)
        started = time.perf_counter()
        try:
            result = run()
        except SyncFailedError as exc:  # the counts of what it did before failing are kept
            outcome = SyncOutcome(source, "failed", _ms(started), result=exc.partial, error=str(exc))
            log.exception("sync of %s failed after %d ms", source, outcome.duration_ms)
        except Exception as exc:
            outcome = SyncOutcome(source, "failed", _ms(started), error=f"{type(exc).__name__}: {exc}")
            log.exception("sync of %s failed after %d ms", source, outcome.duration_ms)
        else:
            outcome = SyncOutcome(source, "ok", _ms(started), result=result)
            log.info(
                "sync of %s: %d read, %d changed, %d API calls, %d errors in %d ms",
                source,
                result.records_read,
                result.records_changed,
                result.api_calls,
                len(result.errors),
                outcome.duration_ms,
            )
        _finish(database, run_id, outcome)
        return outcome


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


def _record(database: Database, run: SyncRun) -> int:
    with database.transaction() as session:
        session.add(run)
        session.flush()
        return run.id


def _record_start(database: Database, source: str) -> int:
    with database.transaction() as session:
        # We hold the source's lock, so a sync of it still marked running lost its runner.
        session.execute(
            update(SyncRun)
            .where(SyncRun.source == source, SyncRun.status == "running")
            .values(status="failed", finished_at=utcnow(), errors=[INTERRUPTED])
        )
        reap_dead_sync_runs(session=session, now=utcnow())
        run = SyncRun(source=source, status="running", runner=RUNNER)
        session.add(run)
        session.flush()
        return run.id


def reap_dead_sync_runs(*, session: Session, now: datetime) -> int:
    """Mark failed every running sync whose process on this host is gone (caller commits)."""
    running = session.execute(select(SyncRun.id, SyncRun.runner).where(SyncRun.status == "running"))
    dead = [run_id for run_id, runner in running if runner_gone(runner)]
    if dead:
        session.execute(
            update(SyncRun)
            .where(SyncRun.id.in_(dead))
            .values(status="failed", finished_at=now, errors=[INTERRUPTED])
        )
    return len(dead)


def _finish(database: Database, run_id: int, outcome: SyncOutcome) -> None:
    with database.transaction() as session:
        run = session.get_one(SyncRun, run_id)
        run.status = outcome.status
        run.finished_at = utcnow()
        if outcome.result is not None:
            run.full = outcome.result.full
            run.records_read = outcome.result.records_read
            run.records_changed = outcome.result.records_changed
            run.api_calls = outcome.result.api_calls
            run.detail = outcome.result.detail
        recorded = list(outcome.result.errors) if outcome.result is not None else []
        run.errors = recorded if outcome.error is None else [outcome.error, *recorded]
