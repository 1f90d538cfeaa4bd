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


class SyncFailedError(Exception):
    """A sync that stopped part-way: what it did until then (kept; the next run resumes), and why."""

    def __init__(self, partial: SyncResult, cause: Exception) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.partial = partial
