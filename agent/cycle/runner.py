"""Running the cycle's steps in order, each committed on its own, into a report."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from agent.db.database import Database
from agent.db.types import utcnow
from agent.jobs.steps import Step, StepContext
from agent.settings import Settings

log = logging.getLogger("nudge.cycle")
StepStatus = Literal["ok", "failed", "skipped"]


@dataclass(frozen=True)
class StepReport:
    """How one step went: its counts, or its error."""

    name: str
    status: StepStatus
    duration_ms: int
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True)
class CycleReport:
    """One cycle: every step in the order it ran."""

    as_of: date
    started_at: datetime
    finished_at: datetime
    steps: list[StepReport]

    @property
    def error(self) -> str | None:
        """The failed steps and their errors, or None when every step succeeded."""
        failed = [f"{step.name}: {step.error}" for step in self.steps if step.status == "failed"]
        return "; ".join(failed) or None

    @property
    def duration_ms(self) -> int:
        """Wall time of the whole cycle."""
        return round((self.finished_at - self.started_at).total_seconds() * 1000)

    def summary(self) -> str:
        """One line per the job log: each step, its status and counts."""
        parts = []
        for step in self.steps:
            counts = ", ".join(f"{key}={value}" for key, value in step.counts.items())
            parts.append(f"{step.name} {step.status}" + (f" ({counts})" if counts else ""))
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """The ``nudge cycle --json`` object."""
        return {
            "status": "failed" if self.error else "ok",
            "as_of": self.as_of,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "duration_ms": self.duration_ms,
            "steps": [asdict(step) for step in self.steps],
        }


def run_cycle(*, database: Database, settings: Settings, steps: Sequence[Step]) -> CycleReport:
    """Run ``steps`` in order; a failing step is recorded and the cycle goes on.

    What earlier steps committed stays committed; a step whose ``requires`` failed or was
    skipped is skipped.
    """
    as_of = settings.today()
    started_at = utcnow()
    reports: list[StepReport] = []
    for step in steps:
        unmet = [r.name for r in reports if r.name in step.requires and r.status != "ok"]
        if unmet:
            reports.append(StepReport(step.name, "skipped", 0, error=f"needs {', '.join(unmet)}"))
            continue
        reports.append(_run_step(step, database=database, settings=settings, as_of=as_of))
    return CycleReport(as_of=as_of, started_at=started_at, finished_at=utcnow(), steps=reports)


def _run_step(step: Step, *, database: Database, settings: Settings, as_of: date) -> StepReport:
    started = time.perf_counter()
    try:
        with database.transaction() as session:
            counts = step.run(StepContext(session=session, database=database, settings=settings, as_of=as_of))
    except Exception as exc:
        log.exception("cycle step %s failed", step.name)
        return StepReport(step.name, "failed", _ms(started), error=f"{type(exc).__name__}: {exc}")
    report = StepReport(step.name, "ok", _ms(started), counts=dict(counts))
    log.info("cycle step %s ok in %d ms: %s", step.name, report.duration_ms, report.counts)
    return report


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
