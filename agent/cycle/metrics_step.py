"""The cycle's metrics step: today's receivables metrics stored as the day's snapshot."""

from __future__ import annotations

from agent.jobs.steps import Step, StepContext
from agent.ledger.store import load_ledger
from agent.metrics.history import periods_on, store_days
from agent.metrics.rates import Rates
from agent.settings import Settings


def snapshot_metrics(ctx: StepContext) -> dict[str, int]:
    """Compute the book's metrics at the book date (overall and per group) and store them.

    Re-running on the same day replaces that day's snapshot, so the trend keeps one row per
    day and group, as the book stood at the day's last cycle. On a month's last day the
    month's and the three months' periods are stored too: past months of the trend read them.
    """
    ledger = load_ledger(session=ctx.session)
    stored = store_days(
        session=ctx.session,
        ledger=ledger,
        rates=Rates.from_settings(ctx.settings),
        days=[(ctx.as_of, period) for period in periods_on(ctx.as_of)],
    )
    return {"invoices": len(ledger.invoices), "snapshot_rows": stored}


def metrics_step(_settings: Settings) -> Step:
    """The ``metrics`` step (after ``close_settled``, so settled invoices count as paid)."""
    return Step(name="metrics", run=snapshot_metrics, requires=("close_settled",))
