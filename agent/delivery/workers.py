"""Who is delivering: a worker's identity, its presence, and the one-worker rule on SQLite.

On PostgreSQL any number of workers run side by side; each holds an advisory lock named
after itself while it works, so another worker can tell that a lease's holder is gone
(its lock is free: the process died and PostgreSQL released it) and take the lease over
at once. On SQLite one worker runs at a time (an exclusive file lock): whoever holds it
knows that any other claim was left by a dead worker.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Collection, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from agent.db.database import Database
from agent.jobs.locks import job_lock

SQLITE_LOCK = "delivery-worker"


@dataclass(frozen=True)
class Worker:
    """A delivering process (or thread), named ``host:pid:random``."""

    name: str
    database: Database

    def gone(self, claimers: Collection[str]) -> set[str]:
        """Which of ``claimers`` no longer run."""
        if self.database.backend != "postgresql":
            return set(claimers)  # we hold the only worker lock on SQLite
        dead = set()
        for claimer in claimers:
            with job_lock(self.database, _presence(claimer)) as free:
                if free:
                    dead.add(claimer)
        return dead


@contextmanager
def working(database: Database) -> Iterator[Worker | None]:
    """Be a worker for the duration of the block; None on SQLite when another one is working."""
    name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    with ExitStack() as stack:
        if database.backend == "postgresql":
            stack.enter_context(job_lock(database, _presence(name)))
        elif not stack.enter_context(job_lock(database, SQLITE_LOCK)):
            yield None
            return
        yield Worker(name=name, database=database)


def _presence(worker: str) -> str:
    return f"delivery-worker:{worker}"
