"""The cycle's metrics step: today's receivables metrics stored as the day's snapshot."""

from __future__ import annotations

from agent.cycle.steps import Step, StepContext
from agent.ledger.store import load_ledger
from agent.metrics.rates import Rates
from agent.metrics.snapshots import store_snapshot
from agent.metrics.trend import snapshot_rows
from agent.settings import Settings


def snapshot_metrics(ctx: StepContext) -> dict[str, int]:
    """Compute the book's metrics at the book date (overall and per group) and store them.

    Re-running on the same day replaces that day's snapshot, so the trend keeps one row per
    day and group, as the book stood at the day's last cycle.
    """
    ledger = load_ledger(session=ctx.session)
    rates = Rates(ctx.settings.reporting_currency, ctx.settings.fx_rates)
    rows = snapshot_rows(ledger, ctx.as_of, rates=rates)
    stored = store_snapshot(session=ctx.session, rows=rows)
    return {"invoices": len(ledger.invoices), "snapshot_rows": stored}


def metrics_step(_settings: Settings) -> Step:
    """The ``metrics`` step (after ``close_settled``, so settled invoices count as paid)."""
    return Step(name="metrics", run=snapshot_metrics, requires=("close_settled",))
