"""What one sync of one source reports back to the scheduler (recorded in ``sync_runs``)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SyncResult:
    """Counts of one sync; ``errors`` are record-level problems the sync went past."""

    records_read: int = 0
    records_changed: int = 0
    api_calls: int = 0
    errors: list[str] = field(default_factory=list)
    full: bool = False
    detail: str | None = None
