"""API shapes of deliveries (``GET /api/deliveries``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from agent.delivery.service import DeliveryListing, DeliveryPage


class DeliveredAlert(BaseModel):
    """An alert a message carries, as it was when enqueued."""

    id: int
    rule: str
    severity: str
    message: str
    account_id: int
    invoice_id: int | None
    outbox_status: str


class DeliveryRead(BaseModel):
    """One message: where it goes, how far it got, why not, and exactly what it said."""

    id: int
    key: str
    channel: str
    recipient: str
    recipient_name: str | None
    kind: str
    state: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    vendor_ref: str | None
    silence_ids: list[int]
    created_at: datetime
    sent_at: datetime | None
    subject: str | None
    text: str | None
    html: str | None
    body: dict[str, Any] | None
    alerts: list[DeliveredAlert]

    @classmethod
    def of(cls, listing: DeliveryListing) -> DeliveryRead:
        d = listing.delivery
        return cls(
            id=d.id,
            key=d.key,
            channel=d.channel,
            recipient=d.recipient,
            recipient_name=d.recipient_name,
            kind=d.kind,
            state=d.state,
            attempts=d.attempts,
            next_attempt_at=d.next_attempt_at,
            last_error=d.last_error,
            vendor_ref=d.vendor_ref,
            silence_ids=list(d.silence_ids or []),
            created_at=d.created_at,
            sent_at=d.sent_at,
            subject=d.subject,
            text=d.text,
            html=d.html,
            body=d.body,
            alerts=[DeliveredAlert.model_validate(alert) for alert in listing.alerts],
        )


class DeliveryPageRead(BaseModel):
    """A page of messages and the number matching the filters."""

    items: list[DeliveryRead]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, page: DeliveryPage, *, limit: int, offset: int) -> DeliveryPageRead:
        return cls(
            items=[DeliveryRead.of(i) for i in page.items], total=page.total, limit=limit, offset=offset
        )
