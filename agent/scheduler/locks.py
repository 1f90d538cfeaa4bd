"""One runner per job: PostgreSQL advisory locks across replicas, a thread lock on SQLite."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

from agent.db.database import Database

_local_locks: dict[tuple[str, str], threading.Lock] = {}
_local_locks_guard = threading.Lock()


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for a job name (same on every replica)."""
    digest = hashlib.sha256(f"nudge-job:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def job_lock(database: Database, name: str) -> Iterator[bool]:
    """Try to take the lock of job ``name`` without waiting; yields whether it is held."""
    if database.backend == "postgresql":
        with _advisory_lock(database.engine, lock_key(name)) as held:
            yield held
    else:
        with _local_lock(database.engine.url.render_as_string(), name) as held:
            yield held


@contextmanager
def _advisory_lock(engine: Engine, key: int) -> Iterator[bool]:
    # A session-level lock on a connection of its own: the job commits many transactions on
    # other connections, and this one stays idle (not "idle in transaction") while it holds.
    # If the process dies the connection closes and PostgreSQL frees the lock.
    with engine.connect() as connection:
        held = bool(connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}))
        connection.commit()
        try:
            yield held
        finally:
            if held:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()


@contextmanager
def _local_lock(database_url: str, name: str) -> Iterator[bool]:
    # SQLite means one process: a lock per (database, job) in this process is enough.
    with _local_locks_guard:
        lock = _local_locks.setdefault((database_url, name), threading.Lock())
    held = lock.acquire(blocking=False)
    try:
        yield held
    finally:
        if held:
            lock.release()
