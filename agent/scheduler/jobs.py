"""The scheduled jobs: the cycle, and one incremental sync per configured source."""

from __future__ import annotations

from collections.abc import Sequence

from agent.cycle.registry import cycle_steps
from agent.cycle.runner import CycleReport, run_cycle
from agent.db.database import Database
from agent.jobs.steps import Step
from agent.jobs.wrapper import JobOutcome, run_job
from agent.settings import Settings

CYCLE_JOB = "cycle"


def run_cycle_job(
    *, database: Database, settings: Settings, steps: Sequence[Step] | None = None
) -> JobOutcome[CycleReport]:
    """One cycle through the job wrapper (one runner at a time, recorded in ``job_runs``)."""
    chosen = cycle_steps(settings) if steps is None else list(steps)
    return run_job(
        database=database,
        name=CYCLE_JOB,
        work=lambda: run_cycle(database=database, settings=settings, steps=chosen),
    )
