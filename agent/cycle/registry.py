"""The cycle's steps, in order: the one place a new step is plugged in.

To add a step, write ``def my_step(settings: Settings) -> Step`` (a name, a function
``run(ctx: StepContext) -> dict[str, int]`` of counts, and optionally ``requires`` naming
earlier steps it cannot do without) and put it in ``CYCLE_STEPS`` at its place in the flow:
sync → housekeeping → score → metrics → rules/alerts → deliver.
"""

from __future__ import annotations

from agent.alerts.cycle_step import alerts_step
from agent.cycle.housekeeping import close_settled_step, settle_promises_step
from agent.cycle.metrics_step import metrics_step
from agent.cycle.sync_step import sync_step
from agent.delivery.step import deliver_step
from agent.jobs.steps import Step, StepFactory
from agent.risk.step import score_step
from agent.settings import Settings

CYCLE_STEPS: tuple[StepFactory, ...] = (
    sync_step,
    close_settled_step,
    settle_promises_step,
    score_step,
    metrics_step,
    alerts_step,
    deliver_step,
)


def cycle_steps(settings: Settings) -> list[Step]:
    """The steps of one cycle, built for ``settings``; names must be unique."""
    steps = [factory(settings) for factory in CYCLE_STEPS]
    names = [step.name for step in steps]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"cycle steps with the same name: {', '.join(duplicates)}")
    return steps
