"""One runner per job: PostgreSQL advisory locks across replicas, file locks beside SQLite."""

from __future__ import annotations

import fcntl
import hashlib
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from agent.db.database import Database

_memory_locks: dict[str, threading.Lock] = {}
_memory_locks_guard = threading.Lock()


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
        return
    path = database.engine.url.database
    if path and path != ":memory:":
        with _file_lock(Path(path), name) as held:
            yield held
    else:
        with _memory_lock(name) as held:
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
def _file_lock(database_file: Path, name: str) -> Iterator[bool]:
    # SQLite serves one machine: an flock beside the database file excludes other threads and
    # other processes (``nudge cycle`` while ``nudge serve`` runs); the OS frees it on exit.
    folder = database_file.with_name(database_file.name + ".locks")
    folder.mkdir(exist_ok=True)
    with (folder / (re.sub(r"[^A-Za-z0-9_.-]", "_", name) + ".lock")).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _memory_lock(name: str) -> Iterator[bool]:
    # An in-memory database lives in one process: a lock per job in this process is enough.
    with _memory_locks_guard:
        lock = _memory_locks.setdefault(name, threading.Lock())
    held = lock.acquire(blocking=False)
    try:
        yield held
    finally:
        if held:
            lock.release()
