"""Runs whose process is gone: marked failed as soon as anyone looks, not at the next run.

Every run records its runner as ``host:pid``. A run still ``running`` whose runner is a
process of this host that no longer exists was killed: it is marked failed with
:data:`INTERRUPTED`. A run of another host is left to that host (or
to the next run of the same job, which holds its lock).
"""

from __future__ import annotations

import os
import socket
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from agent.jobs.tables import JobRun

RUNNER = f"{socket.gethostname()}:{os.getpid()}"
INTERRUPTED = "interrupted: its runner stopped before it finished"


def reap_dead_job_runs(*, session: Session, now: datetime) -> int:
    """Mark failed every running job run whose process on this host is gone (caller commits)."""
    running = session.execute(select(JobRun.id, JobRun.runner).where(JobRun.status == "running"))
    dead = [run_id for run_id, runner in running if runner_gone(runner)]
    if dead:
        session.execute(
            update(JobRun)
            .where(JobRun.id.in_(dead))
            .values(status="failed", finished_at=now, error=INTERRUPTED)
        )
    return len(dead)


def runner_gone(runner: str | None) -> bool:
    """Whether ``host:pid`` names a process of this host that no longer exists."""
    host, _, pid = (runner or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    return not process_exists(int(pid))


def process_exists(pid: int) -> bool:
    """Whether a process with ``pid`` runs on this machine (signal 0 checks without sending)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    return True
