"""Source records for entity-resolution tests, and a helper applying them like a sync does."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from agent.profile.priority import FieldPriority
from agent.sync.apply import ProfileSync
from connectors.core.records import AccountRecord, InvoiceRecord, RecordBase


def company(external_id: str, name: str, **values: Any) -> AccountRecord:
    """A HubSpot company."""
    return AccountRecord(source="hubspot", external_id=external_id, name=name, **values)


def customer(external_id: str, name: str, **values: Any) -> AccountRecord:
    """A Stripe customer."""
    return AccountRecord(
        source="stripe",
        external_id=external_id,
        name=name,
        other_ids={"stripe_customer_id": external_id},
        **values,
    )


def invoice(external_id: str, customer_id: str, total: str = "1200.00") -> InvoiceRecord:
    """An open Stripe invoice."""
    amount = Decimal(total)
    return InvoiceRecord(
        source="stripe",
        external_id=external_id,
        customer_external_id=customer_id,
        currency="USD",
        total=amount,
        amount_due=amount,
        amount_paid=Decimal(0),
        amount_remaining=amount,
        issue_date=date(2026, 10, 1),
        due_date=date(2026, 10, 31),
        status="open",
    )


def apply(session: Session, *records: RecordBase, priority: FieldPriority | None = None) -> None:
    """Apply records source by source, committing like run_sync does after a page."""
    for source in dict.fromkeys(r.source for r in records):
        sync = ProfileSync(
            session=session, source=source, priority=priority or FieldPriority(), today=date(2026, 11, 20)
        )
        sync.apply([r for r in records if r.source == source])
    session.commit()
