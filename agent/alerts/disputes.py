"""Disputes opened from an alert, and resolved: open -> resolved (the caller commits)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.alerts.convert import event_row, key_of
from agent.alerts.service import get_alert
from agent.audit.service import record
from agent.auth.service import Principal, visible_accounts
from agent.profile.tables import Account, Dispute
from rules import AlertEvent, State


class DisputeNotFoundError(LookupError):
    """No such dispute among those the caller may see."""


def open_dispute(
    *,
    session: Session,
    principal: Principal,
    alert_id: int,
    reason: str,
    now: datetime,
    note: str | None = None,
) -> Dispute:
    """Open a dispute on the alert's invoice; ``ValueError`` for an account-level alert or a duplicate."""
    row = get_alert(session=session, principal=principal, alert_id=alert_id).alert
    if row.invoice_id is None:
        raise ValueError("this alert is about the whole account: a dispute needs an invoice")
    existing = session.scalar(
        select(Dispute).where(Dispute.invoice_id == row.invoice_id, Dispute.status == "open")
    )
    if existing is not None:
        raise ValueError(f"invoice already has open dispute {existing.id}")
    dispute = Dispute(
        account_id=row.account_id,
        invoice_id=row.invoice_id,
        reason=reason,
        note=note,
        status="open",
        opened_by_id=principal.person_id,
        opened_at=now,
    )
    session.add(dispute)
    session.flush()
    state = State(row.state)
    detail = {"dispute_id": dispute.id, "reason": reason}
    session.add(
        event_row(row.id, AlertEvent(key_of(row), "disputed", principal.email, now, state, state, detail))
    )
    record(
        session=session,
        actor=principal.email,
        action="dispute.open",
        entity_type="dispute",
        entity_id=dispute.id,
        detail={"alert_id": row.id, "invoice_id": row.invoice_id, "reason": reason},
    )
    return dispute


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
