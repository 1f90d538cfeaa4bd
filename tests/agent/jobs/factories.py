"""Builders for job tests: a job result, jobs that write real rows, run-record readers."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import func, select

from agent.audit.service import record
from agent.audit.tables import AuditEntry
from agent.db.database import Database
from agent.jobs.tables import JobRun
from agent.sync.tables import SyncRun
from tests.factories import REPO_ROOT


@dataclass(frozen=True)
class Noted:
    """A job result: how many audit entries the job wrote."""

    written: int
    error: str | None = None

    def summary(self) -> str:
        return f"wrote {self.written} audit entries"


def audit_job(
    database: Database, *, entries: int = 1, fail_after_writing: bool = False
) -> Callable[[], Noted]:
    """A job that writes ``entries`` audit entries in one transaction (then fails, if asked)."""

    def work() -> Noted:
        with database.transaction() as session:
            for index in range(entries):
                record(session=session, actor="scheduler", action="tick", entity_type="job", entity_id=index)
            session.flush()
            if fail_after_writing:
                raise RuntimeError("vendor timed out after the writes")
        return Noted(written=entries)

    return work


def audit_count(database: Database) -> int:
    """Committed audit entries."""
    with database.sessions() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def job_runs(database: Database) -> list[JobRun]:
    """Every job run, oldest first."""
    with database.sessions() as session:
        return list(session.scalars(select(JobRun).order_by(JobRun.id)))


def sync_runs(database: Database) -> list[SyncRun]:
    """Every sync run, oldest first."""
    with database.sessions() as session:
        return list(session.scalars(select(SyncRun).order_by(SyncRun.id)))


HOLD_LOCK = """
import sys
from agent.db.database import Database
from agent.db.engine import make_engine, make_session_factory
from agent.jobs.locks import job_lock
engine = make_engine(sys.argv[1])
database = Database(engine=engine, sessions=make_session_factory(engine))
with job_lock(database, sys.argv[2]) as held:
    print("held" if held else "busy", flush=True)
    sys.stdin.read()
"""


@contextmanager
def other_runner_holds(database: Database, name: str) -> Iterator[None]:
    """Another process (another replica, or ``nudge cycle`` beside ``nudge serve``) holds ``name``."""
    url = database.engine.url.render_as_string(hide_password=False)
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, url, name],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    ) as other:
        assert other.stdout is not None
        assert other.stdin is not None
        try:
            assert other.stdout.readline().strip() == "held"
            yield
        finally:
            other.stdin.close()
            other.wait(timeout=20)
