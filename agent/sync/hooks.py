"""The connectors as scheduler sync sources (``agent.sync.source_hooks.SYNC_SOURCE_HOOKS``)."""

from __future__ import annotations

from collections.abc import Mapping

from agent.db.database import Database
from agent.profile.priority import load_priority
from agent.settings import Settings
from agent.sync.result import SyncResult
from agent.sync.runs import SyncRunner
from agent.sync.service import sync_source
from agent.sync.sources import build_source, configured_sources


def connector_sources(settings: Settings, database: Database) -> Mapping[str, SyncRunner]:
    """One incremental-sync runner per configured connector (HubSpot, Salesforce, Stripe)."""
    names = configured_sources(settings)
    priority = load_priority(settings.field_priority_file) if names else None

    def runner(name: str) -> SyncRunner:
        def run() -> SyncResult:
            source = build_source(settings, name)
            return sync_source(
                database=database, source_name=name, source=source, priority=priority, today=settings.today()
            )

        return run

    return {name: runner(name) for name in names}
