"""Resolving disputes: open -> resolved (the caller commits).

A dispute is opened from its alert with :func:`agent.alerts.service.mark_disputed`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.audit.service import record
from agent.auth.service import Principal, visible_accounts
from agent.profile.tables import Account, Dispute


class DisputeNotFoundError(LookupError):
    """No such dispute among those the caller may see."""


def resolve_dispute(
    *, session: Session, principal: Principal, dispute_id: int, now: datetime, note: str | None = None
) -> Dispute:
    """Mark an open dispute resolved; ``ValueError`` if it already is."""
    dispute = session.scalar(
        select(Dispute)
        .join(Account, Account.id == Dispute.account_id)
        .where(Dispute.id == dispute_id, visible_accounts(principal))
    )
    if dispute is None:
        raise DisputeNotFoundError(f"no dispute {dispute_id}")
    if dispute.status != "open":
        raise ValueError(f"dispute {dispute_id} is already {dispute.status}")
    dispute.status, dispute.resolved_at = "resolved", now
    if note:
        dispute.note = f"{dispute.note}\n{note}" if dispute.note else note
    record(
        session=session,
        actor=principal.email,
        action="dispute.resolve",
        entity_type="dispute",
        entity_id=dispute.id,
        detail={"note": note},
    )
    return dispute
