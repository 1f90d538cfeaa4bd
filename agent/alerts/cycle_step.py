"""The cycle's ``alerts`` step: evaluate the running rules and enqueue what routing says is due."""

from __future__ import annotations

from agent.alerts.evaluate import evaluate_alerts
from agent.db.types import utcnow
from agent.jobs.steps import Step, StepContext
from agent.settings import Settings


def evaluate_alerts_step(ctx: StepContext) -> dict[str, int]:
    """Run :func:`evaluate_alerts` as of the cycle's book date (risk: the model's stored scores)."""
    counts = evaluate_alerts(session=ctx.session, settings=ctx.settings, now=utcnow(), as_of=ctx.as_of)
    return counts.as_dict()


def alerts_step(_settings: Settings) -> Step:
    """The ``alerts`` step (after ``close_settled`` so settled invoices resolve their alerts,
    and after ``score`` so rules see today's risk)."""
    return Step(name="alerts", run=evaluate_alerts_step, requires=("close_settled",))
