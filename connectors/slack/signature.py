"""Slack's request signing (v0): HMAC-SHA256 of ``v0:{timestamp}:{raw body}``, hex."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from connectors.core.webhooks import InboundRequest, WebhookRejectedError, check_timestamp
from connectors.slack.facts import SIGNATURE_HEADER, SIGNATURE_VERSION, TIMESTAMP_HEADER


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Slack-Signature`` value for ``body`` sent at ``timestamp`` (epoch seconds)."""
    basis = f"{SIGNATURE_VERSION}:{timestamp}:".encode() + body
    return f"{SIGNATURE_VERSION}=" + hmac.new(secret.encode(), basis, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, *, at: datetime, content_type: str) -> dict[str, str]:
    """The headers Slack sends with a signed request."""
    timestamp = int(at.timestamp())
    return {
        "Content-Type": content_type,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }


def verify(request: InboundRequest, *, secret: str, now: datetime, tolerance: timedelta) -> None:
    """Refuse (401) a request without a valid v0 signature made within ``tolerance`` of ``now``."""
    raw_timestamp = request.header(TIMESTAMP_HEADER)
    signature = request.header(SIGNATURE_HEADER)
    if not raw_timestamp or not signature:
        raise WebhookRejectedError(f"missing {TIMESTAMP_HEADER} or {SIGNATURE_HEADER}")
    try:
        timestamp = int(raw_timestamp)
    except ValueError:
        raise WebhookRejectedError(f"{TIMESTAMP_HEADER} is not a number") from None
    check_timestamp(signed_at=datetime.fromtimestamp(timestamp, UTC), now=now, tolerance=tolerance)
    if not hmac.compare_digest(sign(secret, timestamp, request.body), signature):
        raise WebhookRejectedError("signature does not match")
