"""Writing audit entries (the caller commits)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from agent.audit.tables import AuditEntry


def record(
    *,
    session: Session,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str | int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one audit entry to the session."""
    entry = AuditEntry(
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        detail=detail or {},
    )
    session.add(entry)
    return entry
