"""``nudge serve`` delivers continuously: the scheduler's ``deliver`` job."""

from __future__ import annotations

from datetime import timedelta

from apscheduler.triggers.interval import IntervalTrigger

from agent.db.database import Database
from agent.delivery.jobs import DELIVER_JOB
from agent.scheduler.scheduler import build_scheduler
from agent.settings import Settings
from tests.agent.jobs.factories import job_runs


def test_serve_delivers_every_interval_through_the_job_wrapper(
    database: Database, settings: Settings
) -> None:
    settings = settings.model_copy(update={"delivery_interval_seconds": 45})
    scheduler = build_scheduler(database=database, settings=settings)
    scheduler.apscheduler.start(paused=True)
    try:
        job = scheduler.apscheduler.get_job(DELIVER_JOB)
        assert (job.coalesce, job.max_instances) == (True, 1)
        assert isinstance(job.trigger, IntervalTrigger)
        assert job.trigger.interval == timedelta(seconds=45)
        job.func()
    finally:
        scheduler.shutdown()
    [run] = job_runs(database)
    assert (run.name, run.status, run.detail) == ("deliver", "ok", "nothing due")
