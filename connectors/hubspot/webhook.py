"""``POST /integrations/hubspot/webhook``: verify signature v3, then ask for an incremental sync.

HubSpot batches up to 100 events per request and retries on any non-2xx answer, so the
route answers quickly and leaves the fetching to the sync (events carry ids, not data).
HubSpot signs the URL it called: behind a proxy the application passes that public URL.
"""

from __future__ import annotations

import json
from datetime import datetime

from connectors.core.webhooks import (
    InboundRequest,
    Receiver,
    WebhookEvents,
    WebhookRejectedError,
    WebhookRoute,
)
from connectors.hubspot.signature import verify_v3

PATH = "/integrations/hubspot/webhook"
SIGNATURE_HEADER = "X-HubSpot-Signature-v3"


def receiver(*, client_secret: str) -> Receiver:
    """Verify a change-notification batch and ask for a HubSpot sync."""

    def receive(request: InboundRequest, now: datetime) -> WebhookEvents:
        signature = request.header(SIGNATURE_HEADER)
        verify_v3(
            secret=client_secret,
            method=request.method,
            uri=request.url,
            body=request.body,
            signature=signature,
            timestamp=request.header("X-HubSpot-Request-Timestamp"),
            now_ms=int(now.timestamp() * 1000),
        )
        try:
            events = json.loads(request.body)
        except json.JSONDecodeError:
            raise WebhookRejectedError("body is not JSON", status=400) from None
        batch = events if isinstance(events, list) else [events]
        if not all(isinstance(event, dict) for event in batch):
            raise WebhookRejectedError("body is not a list of HubSpot events", status=400)
        # A batch has no id of its own; its signature covers the body and the timestamp.
        return WebhookEvents(events=tuple(batch), delivery=signature or "", sync=("hubspot",))

    return receive


def route(*, client_secret: str) -> WebhookRoute:
    """The HubSpot webhook route for an app secret."""
    return WebhookRoute(path=PATH, receive=receiver(client_secret=client_secret))
