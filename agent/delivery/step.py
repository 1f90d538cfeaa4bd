"""The cycle's last step, ``deliver``: send what the cycle's alerts step made due."""

from __future__ import annotations

from agent.delivery.run import deliver_due
from agent.jobs.steps import Step, StepContext
from agent.settings import Settings


def deliver_step_run(ctx: StepContext) -> dict[str, int]:
    """Drain the outbox once (its own transactions: each send commits as it goes)."""
    report = deliver_due(database=ctx.database, settings=ctx.settings)
    if report.status == "skipped_locked":
        return {"skipped_locked": 1}
    return report.totals


def deliver_step(_settings: Settings) -> Step:
    """The ``deliver`` step, after ``alerts`` (it also sends what earlier cycles left due)."""
    return Step(name="deliver", run=deliver_step_run)
