"""Where sync sources plug in: each hook names the sources configured in the settings.

A connector adds one hook to ``SYNC_SOURCE_HOOKS``: a function of (settings, database)
returning ``{source_name: run}`` for the sources whose credentials are set, where ``run()``
performs one incremental sync and returns a :class:`~agent.sync.result.SyncResult`. The
scheduler then syncs each source every ``NUDGE_SYNC_INTERVAL_MINUTES`` and the cycle's
``sync`` step syncs them all before scoring.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from agent.db.database import Database
from agent.settings import Settings
from agent.sync.runs import SyncRunner

SyncSourcesHook = Callable[[Settings, Database], Mapping[str, SyncRunner]]


def _connectors(settings: Settings, database: Database) -> Mapping[str, SyncRunner]:
    """HubSpot, Salesforce and Stripe, when their credentials are set (``agent.sync.hooks``)."""
    from agent.sync.hooks import connector_sources  # imported on use: connectors are heavy

    return connector_sources(settings, database)


SYNC_SOURCE_HOOKS: list[SyncSourcesHook] = [_connectors]


def configured_sources(
    *, settings: Settings, database: Database, hooks: list[SyncSourcesHook] | None = None
) -> dict[str, SyncRunner]:
    """Every configured source by name, from ``hooks`` (default: the registered ones)."""
    sources: dict[str, SyncRunner] = {}
    for hook in SYNC_SOURCE_HOOKS if hooks is None else hooks:
        for name, run in hook(settings, database).items():
            if name in sources:
                raise ValueError(f"two sync hooks both provide the source {name!r}")
            sources[name] = run
    return sources
