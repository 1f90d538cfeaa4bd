"""The cycle's first step: one incremental sync of every configured source."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping

from agent.db.database import Database
from agent.jobs.steps import Step, StepContext
from agent.settings import Settings
from agent.sync.runs import SyncRunner, record_sync
from agent.sync.sources import sync_runners

SourcesLookup = Callable[[Settings, Database], Mapping[str, SyncRunner]]


class SyncFailedError(RuntimeError):
    """One or more sources failed to sync (each is recorded in ``sync_runs``)."""


def _registered(settings: Settings, database: Database) -> Mapping[str, SyncRunner]:
    return sync_runners(settings, database)


def make_sync_step(sources: SourcesLookup = _registered) -> Step:
    """A ``sync`` step over ``sources`` (default: every registered, configured source)."""

    def sync(ctx: StepContext) -> dict[str, int]:
        # Each source commits its own runs; the step's session is not used.
        counts: Counter[str] = Counter()
        failures = []
        for name, run in sources(ctx.settings, ctx.database).items():
            outcome = record_sync(database=ctx.database, source=name, run=run)
            counts[outcome.status] += 1
            if outcome.result is not None:
                counts["records_read"] += outcome.result.records_read
                counts["records_changed"] += outcome.result.records_changed
                counts["api_calls"] += outcome.result.api_calls
            if outcome.error:
                failures.append(f"{name} ({outcome.error})")
        if failures:
            raise SyncFailedError("sync failed for " + ", ".join(failures))
        return {"sources": sum(counts[s] for s in ("ok", "skipped_locked")), **counts}

    return Step(name="sync", run=sync)


def sync_step(_settings: Settings) -> Step:
    """The ``sync`` step over the registered sources."""
    return make_sync_step()
