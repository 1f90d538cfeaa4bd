"""The saved position of each source: one JSON cursor per source (the connector's layout)."""

from __future__ import annotations

import json

from sqlalchemy import delete
from sqlalchemy.orm import Session

from agent.sync.tables import SyncCursor
from connectors.core.protocols import Cursor

# Connectors keep one cursor covering all their object types (stage + watermarks).
ALL_OBJECTS = "*"


def load_cursor(*, session: Session, source: str) -> Cursor | None:
    """The cursor the next pull starts from; None means a full sync."""
    row = session.get(SyncCursor, (source, ALL_OBJECTS))
    return None if row is None else dict(json.loads(row.cursor))


def save_cursor(*, session: Session, source: str, cursor: Cursor) -> None:
    """Store the cursor in the caller's transaction (with the page's records)."""
    text = json.dumps(cursor, sort_keys=True)
    row = session.get(SyncCursor, (source, ALL_OBJECTS))
    if row is None:
        session.add(SyncCursor(source=source, object_type=ALL_OBJECTS, cursor=text))
    elif row.cursor != text:
        row.cursor = text


def clear_cursors(*, session: Session, source: str) -> None:
    """Forget where the source was: the next sync is a full one."""
    session.execute(delete(SyncCursor).where(SyncCursor.source == source))
