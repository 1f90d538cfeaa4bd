"""One runner per job: a second runner is excluded and its skipped run is recorded."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from agent.db.database import Database
from agent.db.engine import make_engine, make_session_factory
from agent.jobs.locks import job_lock, lock_key
from agent.jobs.wrapper import run_job
from tests.agent.jobs.factories import Noted, audit_count, audit_job, job_runs, other_runner_holds


def test_lock_keys_are_stable_distinct_64_bit_integers() -> None:
    assert lock_key("cycle") == lock_key("cycle")
    assert lock_key("cycle") != lock_key("sync:hubspot")
    assert all(-(2**63) <= lock_key(name) < 2**63 for name in ("cycle", "sync:stripe", "x" * 64))


def test_another_runner_holding_the_lock_makes_this_run_skip(database: Database) -> None:
    # PostgreSQL: another replica's advisory lock; SQLite: another process's file lock.
    with other_runner_holds(database, "cycle"):
        skipped = run_job(database=database, name="cycle", work=audit_job(database))
    ran = run_job(database=database, name="cycle", work=audit_job(database))

    assert (skipped.status, ran.status) == ("skipped_locked", "ok")
    assert audit_count(database) == 1  # the skipped run did no work
    assert [(run.name, run.status) for run in job_runs(database)] == [
        ("cycle", "skipped_locked"),
        ("cycle", "ok"),
    ]


# Only this test database's locks: other test runs on the same server hold their own.
ADVISORY_LOCKS_HERE = (
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


def test_the_advisory_lock_is_held_in_postgresql_while_the_job_runs(database: Database) -> None:
    if database.backend != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    seen: list[int] = []

    def look() -> Noted:
        with database.engine.connect() as connection:
            seen.append(connection.scalar(text(ADVISORY_LOCKS_HERE + " AND granted")) or 0)
        return Noted(written=0)

    run_job(database=database, name="cycle", work=look)
    with database.engine.connect() as connection:
        after = connection.scalar(text(ADVISORY_LOCKS_HERE))

    assert seen == [1]
    assert after == 0


def test_an_in_memory_database_locks_within_the_process() -> None:
    engine = make_engine("sqlite://")
    memory = Database(engine=engine, sessions=make_session_factory(engine))
    with job_lock(memory, "cycle") as first, job_lock(memory, "cycle") as second:
        assert (first, second) == (True, False)
    with job_lock(memory, "cycle") as again:
        assert again
    memory.close()


def test_the_lock_is_released_after_a_failed_run(database: Database) -> None:
    run_job(database=database, name="cycle", work=audit_job(database, fail_after_writing=True))
    again = run_job(database=database, name="cycle", work=audit_job(database))

    assert again.status == "ok"


def test_two_concurrent_runners_of_one_job_run_it_once(database: Database) -> None:
    started, release = threading.Event(), threading.Event()

    def slow() -> Noted:
        started.set()
        assert release.wait(10)
        return Noted(written=0)

    first = threading.Thread(target=run_job, kwargs={"database": database, "name": "cycle", "work": slow})
    first.start()
    try:
        assert started.wait(10)
        second = run_job(database=database, name="cycle", work=audit_job(database))
        other_job = run_job(database=database, name="digest", work=audit_job(database))
    finally:
        release.set()
        first.join(10)

    assert second.status == "skipped_locked"
    assert other_job.status == "ok"  # locks are per job
    statuses = sorted((run.name, run.status) for run in job_runs(database))
    assert statuses == [("cycle", "ok"), ("cycle", "skipped_locked"), ("digest", "ok")]
