"""The scheduler's ``deliver`` job: drain the outbox every ``NUDGE_DELIVERY_INTERVAL_SECONDS``."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from agent.db.database import Database
from agent.delivery.run import DeliveryReport, deliver_due
from agent.scheduler.scheduler import JobScheduler
from agent.scheduler.wrapper import JobOutcome, run_job
from agent.settings import Settings

DELIVER_JOB = "deliver"


def run_deliver_job(*, database: Database, settings: Settings) -> JobOutcome[DeliveryReport]:
    """One drain through the job wrapper (recorded in ``job_runs``)."""
    return run_job(
        database=database, name=DELIVER_JOB, work=lambda: deliver_due(database=database, settings=settings)
    )


def register_deliver_job(scheduler: JobScheduler) -> None:
    """Deliver continuously: coalesced, never overlapping itself (the scheduler's defaults)."""
    scheduler.apscheduler.add_job(
        functools.partial(run_deliver_job, database=scheduler.database, settings=scheduler.settings),
        trigger="interval",
        seconds=scheduler.settings.delivery_interval_seconds,
        id=DELIVER_JOB,
        name=DELIVER_JOB,
        next_run_time=datetime.now(UTC),
        coalesce=True,
        max_instances=1,
        replace_existing=True,
    )
