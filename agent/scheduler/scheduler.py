"""APScheduler set-up: one background scheduler per process, its jobs, its lifecycle."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from agent.db.database import Database
from agent.db.types import utcnow
from agent.delivery.jobs import DELIVER_JOB, run_deliver_job
from agent.risk.jobs import RETRAIN_EVERY, RETRAIN_JOB, run_retrain_job
from agent.scheduler.jobs import CYCLE_JOB, run_cycle_job
from agent.settings import Settings
from agent.sync.runs import SyncRunner, record_sync, sync_job_name
from agent.sync.sources import sync_runners


@dataclass
class JobScheduler:
    """The process's APScheduler and the database and settings its jobs run against."""

    database: Database
    settings: Settings
    apscheduler: BackgroundScheduler

    def start(self) -> None:
        """Start firing jobs in background threads."""
        self.apscheduler.start()

    def shutdown(self) -> None:
        """Stop, letting a running job finish so its run record is closed."""
        if self.apscheduler.running:
            self.apscheduler.shutdown(wait=True)


def create_scheduler(*, database: Database, settings: Settings) -> JobScheduler:
    """A scheduler with no jobs yet.

    ``coalesce`` folds a backlog of missed runs into one, ``max_instances=1`` never overlaps
    a job with itself in this process (the job lock does so across replicas), and a missed
    run still fires within the grace time.
    """
    apscheduler = BackgroundScheduler(
        timezone=UTC,
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": settings.job_misfire_grace_seconds,
        },
    )
    return JobScheduler(database=database, settings=settings, apscheduler=apscheduler)


def register_cycle_job(scheduler: JobScheduler, *, first_run: datetime | None = None) -> None:
    """Run the cycle every ``NUDGE_CYCLE_INTERVAL_MINUTES``, first at ``first_run`` (default now)."""
    scheduler.apscheduler.add_job(
        functools.partial(run_cycle_job, database=scheduler.database, settings=scheduler.settings),
        trigger="interval",
        minutes=scheduler.settings.cycle_interval_minutes,
        id=CYCLE_JOB,
        name=CYCLE_JOB,
        next_run_time=first_run or datetime.now(UTC),
        replace_existing=True,
    )


def register_sync_job(scheduler: JobScheduler, source_name: str, run: SyncRunner) -> None:
    """Sync ``source_name`` every ``NUDGE_SYNC_INTERVAL_MINUTES`` (the cycle syncs it too)."""
    name = sync_job_name(source_name)
    scheduler.apscheduler.add_job(
        functools.partial(record_sync, database=scheduler.database, source=source_name, run=run),
        trigger="interval",
        minutes=scheduler.settings.sync_interval_minutes,
        id=name,
        name=name,
        replace_existing=True,
    )


def register_deliver_job(scheduler: JobScheduler) -> None:
    """Deliver every ``NUDGE_DELIVERY_INTERVAL_SECONDS``, first now (coalesced, never overlapping)."""
    scheduler.apscheduler.add_job(
        functools.partial(run_deliver_job, database=scheduler.database, settings=scheduler.settings),
        trigger="interval",
        seconds=scheduler.settings.delivery_interval_seconds,
        id=DELIVER_JOB,
        name=DELIVER_JOB,
        next_run_time=utcnow(),
        replace_existing=True,
    )


def register_retrain_job(scheduler: JobScheduler, *, first_run: datetime | None = None) -> None:
    """Retrain weekly, first at ``first_run`` (default: a week from now; the cycle trains the first)."""
    scheduler.apscheduler.add_job(
        functools.partial(run_retrain_job, database=scheduler.database, settings=scheduler.settings),
        trigger="interval",
        seconds=RETRAIN_EVERY.total_seconds(),
        id=RETRAIN_JOB,
        name=RETRAIN_JOB,
        next_run_time=first_run or utcnow() + RETRAIN_EVERY,
        replace_existing=True,
    )


def build_scheduler(*, database: Database, settings: Settings) -> JobScheduler:
    """The scheduler ``nudge serve`` runs: the cycle, delivery, the weekly retrain, a sync job per
    configured source."""
    scheduler = create_scheduler(database=database, settings=settings)
    register_cycle_job(scheduler)
    register_deliver_job(scheduler)
    register_retrain_job(scheduler)
    for source_name, run in sync_runners(settings, database).items():
        register_sync_job(scheduler, source_name, run)
    return scheduler
