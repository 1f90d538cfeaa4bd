"""Stripe objects (``StripeObject`` or plain dicts from events) to Nudge records."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from connectors.core.records import (
    AccountRecord,
    CreditNoteRecord,
    InvoiceRecord,
    PaymentRecord,
    RecordBase,
)
from connectors.stripe.facts import ZERO_DECIMAL


def money(minor: int | None, currency: str) -> Decimal:
    """Stripe's minor units as a Decimal in major units (zero-decimal currencies stay whole)."""
    value = Decimal(minor or 0)
    return value if currency.lower() in ZERO_DECIMAL else value / 100


def _when(ts: int | None) -> datetime | None:
    return datetime.fromtimestamp(ts, UTC) if ts else None


def _day(ts: int | None) -> date | None:
    when = _when(ts)
    return when.date() if when else None


def _domain(email: str | None) -> str | None:
    return email.rsplit("@", 1)[1].lower() if email and "@" in email else None


def to_account(obj: Any) -> AccountRecord:
    """A Stripe customer as an account (a deleted customer keeps only its id)."""
    if obj.get("deleted"):
        return AccountRecord(source="stripe", external_id=obj["id"], deleted=True)
    return AccountRecord(
        source="stripe",
        external_id=obj["id"],
        updated_at=_when(obj.get("created")),
        name=obj.get("name"),
        email=obj.get("email"),
        domain=_domain(obj.get("email")),
        currency=(obj.get("currency") or None),
        other_ids={"stripe_customer_id": obj["id"]},
    )


def to_invoice(obj: Any, deleted: bool = False) -> list[RecordBase]:
    """A Stripe invoice, and the payment it records when something was paid."""
    currency = obj["currency"]
    transitions = obj.get("status_transitions") or {}
    paid_at = _when(transitions.get("paid_at"))
    invoice = InvoiceRecord(
        source="stripe",
        external_id=obj["id"],
        updated_at=_when(obj.get("created")),
        deleted=deleted or bool(obj.get("deleted")),
        customer_external_id=obj.get("customer"),
        number=obj.get("number"),
        currency=currency.upper(),
        total=money(obj.get("total"), currency),
        amount_due=money(obj.get("amount_due"), currency),
        amount_paid=money(obj.get("amount_paid"), currency),
        amount_remaining=money(obj.get("amount_remaining"), currency),
        issue_date=_day(obj.get("effective_at") or obj.get("created")),
        due_date=_day(obj.get("due_date")),
        paid_at=paid_at,
        status=obj["status"],
        collection_method=obj.get("collection_method"),
        voided=obj["status"] == "void",
    )
    records: list[RecordBase] = [invoice]
    if obj.get("amount_paid"):
        records.append(
            PaymentRecord(
                source="stripe",
                external_id=f"{obj['id']}:paid",
                invoice_external_id=obj["id"],
                customer_external_id=obj.get("customer"),
                currency=currency.upper(),
                amount=money(obj["amount_paid"], currency),
                paid_at=paid_at,
                deleted=invoice.deleted,
            )
        )
    return records


def to_credit_note(obj: Any) -> CreditNoteRecord:
    """A Stripe credit note."""
    currency = obj["currency"]
    return CreditNoteRecord(
        source="stripe",
        external_id=obj["id"],
        updated_at=_when(obj.get("voided_at") or obj.get("created")),
        invoice_external_id=obj.get("invoice"),
        customer_external_id=obj.get("customer"),
        number=obj.get("number"),
        currency=currency.upper(),
        amount=money(obj.get("total", obj.get("amount")), currency),
        issued_at=_when(obj.get("effective_at") or obj.get("created")),
        status=obj["status"],
        reason=obj.get("reason"),
        voided=obj["status"] == "void",
    )


def from_object(obj: Any, event_type: str = "") -> list[RecordBase]:
    """Records for any of the objects the connector follows (by its ``object`` field)."""
    kind = obj.get("object")
    if kind == "customer":
        return [
            to_account(obj)
            if not event_type.endswith(".deleted")
            else AccountRecord(source="stripe", external_id=obj["id"], deleted=True)
        ]
    if kind == "invoice":
        return to_invoice(obj, deleted=event_type == "invoice.deleted")
    if kind == "credit_note":
        return [to_credit_note(obj)]
    return []
