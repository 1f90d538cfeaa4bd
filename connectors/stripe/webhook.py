"""``POST /integrations/stripe/webhook``: verify ``Stripe-Signature``, then ask for a sync.

Events carry the changed object, but the sync re-reads the events list from its cursor,
so nothing is applied from the webhook body: it only says that something changed.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from connectors.core.webhooks import (
    InboundRequest,
    Receiver,
    WebhookEvents,
    WebhookRejectedError,
    WebhookRoute,
)
from connectors.stripe.signature import HEADER, verify_signature

PATH = "/integrations/stripe/webhook"


def receiver(*, webhook_secret: str, tolerance_seconds: int = 300) -> Receiver:
    """Verify one event and ask for a Stripe sync."""
    tolerance = timedelta(seconds=tolerance_seconds)

    def receive(request: InboundRequest, now: datetime) -> WebhookEvents:
        verify_signature(
            secret=webhook_secret,
            payload=request.body,
            header=request.header(HEADER),
            now=now,
            tolerance=tolerance,
        )
        try:
            event = json.loads(request.body)
        except json.JSONDecodeError:
            raise WebhookRejectedError("body is not JSON", status=400) from None
        if not isinstance(event, dict) or not isinstance(event.get("id"), str):
            raise WebhookRejectedError("body is not a Stripe event object", status=400)
        return WebhookEvents(events=(event,), delivery=event["id"], sync=("stripe",))

    return receive


def route(*, webhook_secret: str, tolerance_seconds: int = 300) -> WebhookRoute:
    """The Stripe webhook route for an endpoint's signing secret."""
    return WebhookRoute(
        path=PATH, receive=receiver(webhook_secret=webhook_secret, tolerance_seconds=tolerance_seconds)
    )
