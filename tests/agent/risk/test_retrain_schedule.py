"""``nudge serve``'s scheduler retrains the model weekly, through the same job settings as the cycle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.triggers.interval import IntervalTrigger

from agent.db.database import Database
from agent.risk.jobs import RETRAIN_JOB
from agent.scheduler.scheduler import build_scheduler
from agent.settings import Settings


def test_the_served_scheduler_retrains_weekly_starting_a_week_after_start(
    database: Database, settings: Settings
) -> None:
    scheduler = build_scheduler(database=database, settings=settings)
    scheduler.apscheduler.start(paused=True)  # jobs get their final settings once started
    try:
        job = scheduler.apscheduler.get_job(RETRAIN_JOB)
        assert job is not None
        assert (job.coalesce, job.max_instances) == (True, 1)
        assert isinstance(job.trigger, IntervalTrigger)
        assert job.trigger.interval == timedelta(weeks=1)
        assert job.next_run_time > datetime.now(UTC) + timedelta(days=6, hours=23)
    finally:
        scheduler.apscheduler.shutdown(wait=False)
