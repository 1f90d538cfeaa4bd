"""The ``deliver`` job: one drain of the outbox through the job wrapper.

``nudge serve`` schedules it every ``NUDGE_DELIVERY_INTERVAL_SECONDS``
(:func:`agent.scheduler.scheduler.register_deliver_job`).
"""

from __future__ import annotations

from agent.db.database import Database
from agent.delivery.run import DeliveryReport, deliver_due
from agent.jobs.wrapper import JobOutcome, run_job
from agent.settings import Settings

DELIVER_JOB = "deliver"


def run_deliver_job(*, database: Database, settings: Settings) -> JobOutcome[DeliveryReport]:
    """One drain through the job wrapper (recorded in ``job_runs``)."""
    return run_job(
        database=database, name=DELIVER_JOB, work=lambda: deliver_due(database=database, settings=settings)
    )
