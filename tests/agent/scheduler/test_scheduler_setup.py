"""The APScheduler jobs as configured, and the scheduler's life inside the app."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.interval import IntervalTrigger
from fastapi.testclient import TestClient

from agent.app import create_app
from agent.db.database import Database
from agent.scheduler.scheduler import (
    build_scheduler,
    create_scheduler,
    register_cycle_job,
    register_sync_job,
)
from agent.settings import Settings
from agent.sync.result import SyncResult
from tests.agent.jobs.factories import job_runs, sync_runs


def test_jobs_coalesce_run_one_at_a_time_and_take_intervals_from_settings(database: Database) -> None:
    settings = Settings(cycle_interval_minutes=7, sync_interval_minutes=3, job_misfire_grace_seconds=120)
    scheduler = create_scheduler(database=database, settings=settings)
    register_cycle_job(scheduler)
    register_sync_job(scheduler, "hubspot", lambda: SyncResult())
    scheduler.apscheduler.start(paused=True)  # jobs get their final settings once started
    try:
        jobs = {job.id: job for job in scheduler.apscheduler.get_jobs()}
        assert set(jobs) == {"cycle", "sync:hubspot"}
        for job in jobs.values():
            assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 120)
            assert isinstance(job.trigger, IntervalTrigger)
        assert jobs["cycle"].trigger.interval == timedelta(minutes=7)
        assert jobs["sync:hubspot"].trigger.interval == timedelta(minutes=3)
        # The cycle runs as soon as the server starts; a sync job waits its first interval.
        assert jobs["cycle"].next_run_time <= datetime.now(UTC) + timedelta(seconds=1)
        assert jobs["sync:hubspot"].next_run_time > datetime.now(UTC) + timedelta(minutes=2)
    finally:
        scheduler.shutdown()


def test_a_sync_job_records_its_run_when_it_fires(database: Database) -> None:
    scheduler = create_scheduler(database=database, settings=Settings())
    register_sync_job(scheduler, "stripe", lambda: SyncResult(records_read=5, api_calls=1))
    scheduler.apscheduler.start(paused=True)
    try:
        scheduler.apscheduler.get_job("sync:stripe").func()
    finally:
        scheduler.shutdown()

    [run] = sync_runs(database)
    assert (run.source, run.status, run.records_read, run.api_calls) == ("stripe", "ok", 5, 1)


def test_the_app_starts_the_scheduler_which_runs_the_cycle_and_stops_it(
    database: Database, settings: Settings
) -> None:
    scheduler = build_scheduler(database=database, settings=settings)
    with TestClient(create_app(settings=settings, database=database, scheduler=scheduler)):
        assert scheduler.apscheduler.running
        deadline = time.monotonic() + 20
        while not [run for run in job_runs(database) if run.name == "cycle" and run.status != "running"]:
            assert time.monotonic() < deadline, "the first cycle did not finish"
            time.sleep(0.05)
    assert not scheduler.apscheduler.running
    [run] = [run for run in job_runs(database) if run.name == "cycle"]
    assert (run.name, run.status) == ("cycle", "ok")
    assert run.detail is not None
    assert "close_settled ok" in run.detail
