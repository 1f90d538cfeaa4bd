"""``run_sync``: one sync of one source into the profile, recorded as a :class:`SyncRun`.

Each page's records and the page's cursor are committed together, so a crash resumes
from the last committed page: that page's records come again and upsert (no duplicate),
and nothing after it is skipped (no gap).
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from agent.db.database import Database
from agent.db.types import utcnow
from agent.profile.priority import FieldPriority
from agent.sync.apply import ProfileSync
from agent.sync.cursors import clear_cursors, load_cursor, save_cursor
from agent.sync.tables import SyncRun
from connectors.core.protocols import Source

log = logging.getLogger(__name__)
MAX_ERRORS_KEPT = 100
# One sync per source at a time in this process (webhook threads and scheduler jobs alike):
# two pulls from one cursor would apply the same pages twice and race on the cursor row.
_SOURCE_LOCKS: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)


@dataclass
class Tally:
    """What a run did so far."""

    read: int = 0
    changed: int = 0


def run_sync(
    *,
    database: Database,
    source_name: str,
    source: Source,
    full: bool = False,
    priority: FieldPriority | None = None,
    today: date | None = None,
) -> SyncRun:
    """Pull ``source`` from its saved cursor (from scratch when ``full``) into the profile.

    Waits while another sync of the same source runs in this process. Failures are
    recorded on the returned run (status ``failed``, ``detail``); the next run resumes.
    """
    with _SOURCE_LOCKS[source_name]:
        return _run(database, source_name, source, full, priority, today)


def _run(
    database: Database,
    source_name: str,
    source: Source,
    full: bool,
    priority: FieldPriority | None,
    today: date | None,
) -> SyncRun:
    with database.transaction() as session:
        if full:
            clear_cursors(session=session, source=source_name)
        run = SyncRun(source=source_name, full=full, status="running", started_at=utcnow(), errors=[])
        session.add(run)
    calls_before = source.stats.calls
    tally = Tally()
    errors: list[str] = []
    status, detail = "ok", None
    try:
        errors = _pull(database, source_name, source, tally, priority or FieldPriority(), today)
    except Exception as exc:  # recorded on the run (and logged); the next run resumes
        log.exception("sync of %s failed", source_name)
        status, detail = "failed", f"{type(exc).__name__}: {exc}"
        errors.append(detail)
    return _finish(database, run.id, status, detail, tally, errors, source.stats.calls - calls_before)


def _pull(
    database: Database,
    source_name: str,
    source: Source,
    tally: Tally,
    priority: FieldPriority,
    today: date | None,
) -> list[str]:
    with database.sessions() as session:
        sync = ProfileSync(
            session=session, source=source_name, priority=priority, today=today or date.today()
        )
        for page in source.pull(load_cursor(session=session, source=source_name)):
            tally.read += len(page.records)
            changed = sync.apply(page.records)
            save_cursor(session=session, source=source_name, cursor=page.cursor)
            session.commit()
            tally.changed += changed
        return sync.errors


def _finish(
    database: Database,
    run_id: int,
    status: str,
    detail: str | None,
    tally: Tally,
    errors: list[str],
    api_calls: int,
) -> SyncRun:
    with database.transaction() as session:
        run = session.get(SyncRun, run_id)
        assert run is not None
        run.status, run.detail, run.finished_at = status, detail, utcnow()
        run.records_read, run.records_changed, run.api_calls = tally.read, tally.changed, api_calls
        run.errors = errors[:MAX_ERRORS_KEPT]
    log.info(
        "sync %s %s: %d read, %d changed, %d calls", run.source, status, tally.read, tally.changed, api_calls
    )
    return run
