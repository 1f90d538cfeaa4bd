"""The plugin interfaces a connector implements: Source, Notifier, WriteBack.

A source pulls page by page. Each :class:`Page` carries the cursor to persist *after* its
records are stored, so a crash mid-sync resumes from the last committed page: records of
the interrupted page come again (the profile upserts by key, so no duplicates) and
nothing after the committed cursor is skipped (no gaps).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from connectors.core.calls import CallStats
from connectors.core.records import RecordBase

# A cursor is plain JSON (dicts, lists, str, int, float, bool, None) so the sync-run table
# can store it as is. Its layout belongs to the connector that wrote it.
Cursor = dict[str, Any]


@dataclass(frozen=True)
class Page:
    """Records read in one step, and the cursor that is safe to persist once they are stored."""

    records: Sequence[RecordBase]
    cursor: Cursor


@dataclass
class PullResult:
    """Everything one sync produced, for callers that do not stream (tests, small demos)."""

    records: list[RecordBase] = field(default_factory=list)
    cursor: Cursor | None = None
    pages: int = 0
    api_calls: int = 0


@runtime_checkable
class Source(Protocol):
    """Something that yields records changed since a cursor (``None`` = full sync)."""

    name: str

    @property
    def stats(self) -> CallStats:
        """Requests sent so far."""
        ...

    def pull(self, since: Cursor | None) -> Iterator[Page]:
        """Yield pages in order; the last page's cursor is the next sync's ``since``."""
        ...


@runtime_checkable
class Notifier(Protocol):
    """Something that tells people about a group of alerts (Slack, e-mail...)."""

    name: str

    def send(self, alert_group: Mapping[str, Any]) -> str:
        """Deliver the group and return the vendor's message id."""
        ...


@runtime_checkable
class WriteBack(Protocol):
    """Something that records a person's action in a vendor system (a CRM task or note)."""

    name: str

    def record(self, action: Mapping[str, Any]) -> str:
        """Write the action and return the vendor's id for it."""
        ...


def pull_all(source: Source, since: Cursor | None = None) -> PullResult:
    """Drain ``source.pull(since)`` into one :class:`PullResult`."""
    result = PullResult(cursor=since)
    calls_before = source.stats.calls
    for page in source.pull(since):
        result.records.extend(page.records)
        result.cursor = page.cursor
        result.pages += 1
    result.api_calls = source.stats.calls - calls_before
    return result
