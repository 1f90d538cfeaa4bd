"""The job wrapper: times, records and logs each run; a failing job leaves nothing behind."""

from __future__ import annotations

import logging

import pytest

from agent.db.database import Database
from agent.jobs.liveness import RUNNER
from agent.jobs.tables import JobRun
from agent.jobs.wrapper import run_job
from tests.agent.jobs.factories import Noted, audit_count, audit_job, job_runs


def test_a_successful_run_commits_and_is_recorded(database: Database) -> None:
    outcome = run_job(database=database, name="audit-tick", work=audit_job(database, entries=3))

    assert outcome.status == "ok"
    assert outcome.result == Noted(written=3)
    assert audit_count(database) == 3
    [run] = job_runs(database)
    assert (run.name, run.status, run.detail, run.error) == (
        "audit-tick",
        "ok",
        "wrote 3 audit entries",
        None,
    )
    assert run.finished_at is not None
    assert run.finished_at >= run.started_at
    assert run.duration_ms is not None
    assert run.duration_ms >= 0
    assert ":" in run.runner  # host:pid


def test_a_failing_run_is_rolled_back_recorded_and_logged(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="nudge.jobs"):
        outcome = run_job(
            database=database, name="audit-tick", work=audit_job(database, entries=2, fail_after_writing=True)
        )

    assert outcome.status == "failed"
    assert outcome.error == "RuntimeError: vendor timed out after the writes"
    assert audit_count(database) == 0  # the job's writes were rolled back
    [run] = job_runs(database)
    assert (run.status, run.error) == ("failed", "RuntimeError: vendor timed out after the writes")
    assert run.finished_at is not None
    assert "job audit-tick failed" in caplog.text
    assert "Traceback" in caplog.text


def test_a_job_that_survives_a_partial_failure_is_recorded_as_failed(database: Database) -> None:
    outcome = run_job(database=database, name="partial", work=lambda: Noted(written=1, error="step x: boom"))

    assert outcome.status == "failed"
    [run] = job_runs(database)
    assert (run.status, run.detail, run.error) == ("failed", "wrote 1 audit entries", "step x: boom")


def test_a_run_left_running_by_a_dead_runner_is_closed_by_the_next_run(database: Database) -> None:
    with database.transaction() as session:
        session.add(JobRun(name="cycle", status="running", runner="old-host:1"))

    run_job(database=database, name="cycle", work=audit_job(database))

    assert [(run.runner, run.status, run.error) for run in job_runs(database)] == [
        ("old-host:1", "failed", "interrupted: its runner stopped before it finished"),
        (RUNNER, "ok", None),
    ]
