"""The step protocol: a named unit of the cycle that runs in its own transaction."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from agent.db.database import Database
from agent.settings import Settings


@dataclass(frozen=True)
class StepContext:
    """What a step works with.

    ``session`` is the step's own transaction: the runner commits it when the step returns
    and rolls it back if the step raises. A step that must commit in several units (a sync
    of many pages) opens its own through ``database.transaction()``.
    """

    session: Session
    database: Database
    settings: Settings
    as_of: date


StepWork = Callable[[StepContext], Mapping[str, int]]


@dataclass(frozen=True)
class Step:
    """A named step; ``run`` returns counts for the report (e.g. ``{"closed": 3}``).

    ``requires`` names earlier steps whose failure makes this one pointless (rules on
    scores that were not refreshed): it is then skipped rather than run on stale data.
    """

    name: str
    run: StepWork
    requires: tuple[str, ...] = ()


StepFactory = Callable[[Settings], Step]
