"""Syncing one source into the profile.

``sync_source`` pulls page by page from the saved cursor and commits each page's records
with that page's cursor, so a crash resumes from the last committed page: that page's
records come again and upsert (no duplicate), and nothing after it is skipped (no gap).
``run_sync`` is the recorded form: one ``sync_runs`` row per run, under the source's job
lock (``agent.sync.runs.record_sync``), as the scheduler's sync jobs and the cycle run it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from agent.db.database import Database
from agent.profile.priority import FieldPriority
from agent.sync.apply import ProfileSync
from agent.sync.cursors import clear_cursors, load_cursor, save_cursor
from agent.sync.result import SyncFailedError, SyncResult
from agent.sync.runs import record_sync
from agent.sync.tables import SyncRun
from connectors.core.protocols import Source

MAX_ERRORS_KEPT = 100


@dataclass
class Tally:
    """What a sync did so far."""

    read: int = 0
    changed: int = 0
    errors: list[str] = field(default_factory=list)


def sync_source(
    *,
    database: Database,
    source_name: str,
    source: Source,
    full: bool = False,
    priority: FieldPriority | None = None,
    today: date | None = None,
) -> SyncResult:
    """Pull ``source`` from its saved cursor (from scratch when ``full``); on failure raises
    :class:`SyncFailedError` with what was done, after keeping every page already committed."""
    if full:
        with database.transaction() as session:
            clear_cursors(session=session, source=source_name)
    calls_before = source.stats.calls
    tally = Tally()

    def so_far() -> SyncResult:
        return SyncResult(
            records_read=tally.read,
            records_changed=tally.changed,
            api_calls=source.stats.calls - calls_before,
            errors=tally.errors[:MAX_ERRORS_KEPT],
            full=full,
        )

    with database.sessions() as session:
        sync = ProfileSync(
            session=session,
            source=source_name,
            priority=priority or FieldPriority(),
            today=today or date.today(),
        )
        tally.errors = sync.errors
        try:
            for page in source.pull(load_cursor(session=session, source=source_name)):
                changed = sync.apply(page.records)
                save_cursor(session=session, source=source_name, cursor=page.cursor)
                session.commit()
                tally.read += len(page.records)
                tally.changed += changed
        except Exception as exc:
            raise SyncFailedError(so_far(), exc) from exc
    return so_far()


def run_sync(
    *,
    database: Database,
    source_name: str,
    source: Source,
    full: bool = False,
    priority: FieldPriority | None = None,
    today: date | None = None,
) -> SyncRun:
    """One recorded sync: ``ok``, ``failed`` (the error in ``errors``; the next run resumes)
    or ``skipped_locked`` when another runner is syncing this source."""

    def run() -> SyncResult:
        return sync_source(
            database=database,
            source_name=source_name,
            source=source,
            full=full,
            priority=priority,
            today=today,
        )

    record_sync(database=database, source=source_name, run=run)
    with database.sessions() as session:
        latest = session.scalars(
            select(SyncRun).where(SyncRun.source == source_name).order_by(SyncRun.id.desc()).limit(1)
        ).one()
    return latest
