"""The sync sources: every installed connector offering a source, reached through the registry.

A connector is a source once its settings load from the environment (``NUDGE_<NAME>_*``,
see ``connectors/README.md``). The scheduler's sync jobs, the cycle's ``sync`` step,
``nudge sync`` and the webhooks all take their sources and runners from here.
"""

from __future__ import annotations

from agent.db.database import Database
from agent.profile.priority import load_priority
from agent.settings import Settings
from agent.sync.result import SyncResult
from agent.sync.runs import SyncRunner
from agent.sync.service import sync_source
from connectors.core.protocols import Source
from connectors.core.registry import NotConfiguredError, available, configured


class SourceNotConfiguredError(LookupError):
    """A sync was asked of a source that is unknown or whose credentials are not set."""


def source_names() -> list[str]:
    """Every installed connector that can pull, configured or not."""
    return [name for name, spec in available().items() if spec.source is not None]


def configured_sources() -> list[str]:
    """The connectors that can pull and whose required variables are set."""
    return list(configured("source"))


def build_source(name: str) -> Source:
    """The connector's source, configured from the environment."""
    spec = available().get(name)
    if spec is None or spec.source is None:
        known = ", ".join(source_names()) or "none installed"
        raise SourceNotConfiguredError(f"unknown source {name!r} (known: {known})")
    try:
        return spec.build_source()
    except NotConfiguredError as exc:
        raise SourceNotConfiguredError(str(exc)) from None


def sync_runners(settings: Settings, database: Database) -> dict[str, SyncRunner]:
    """One incremental-sync runner per configured source (the source is built when it runs,
    so a configuration error is recorded as that run's failure)."""
    names = configured_sources()
    priority = load_priority(settings.field_priority_file) if names else None

    def runner(name: str) -> SyncRunner:
        def run() -> SyncResult:
            return sync_source(
                database=database,
                source_name=name,
                source=build_source(name),
                priority=priority,
                today=settings.today(),
            )

        return run

    return {name: runner(name) for name in names}
