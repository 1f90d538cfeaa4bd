"""``Stripe-Signature``: HMAC-SHA256 of ``"{t}.{raw body}"`` with the endpoint's secret, hex.

The header is ``t=<unix seconds>,v1=<hex>[,v1=<hex>...]`` (several ``v1`` while a secret
rolls over; any may match). The raw body must be verified before any JSON parsing:
re-serialising breaks the signature. The timestamp must lie within the tolerance of now in
either direction (Stripe's library only refuses old ones).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from connectors.core.webhooks import WebhookRejectedError, check_timestamp

HEADER = "Stripe-Signature"


def sign_payload(secret: str, payload: bytes, timestamp: int) -> str:
    """The ``Stripe-Signature`` header value for ``payload`` sent at ``timestamp``."""
    return f"t={timestamp},v1={_digest(secret, payload, timestamp)}"


def verify_signature(
    *, secret: str, payload: bytes, header: str | None, now: datetime, tolerance: timedelta
) -> None:
    """Raise :class:`WebhookRejectedError` unless a ``v1`` signature matches and ``t`` is fresh."""
    if not header:
        raise WebhookRejectedError(f"missing {HEADER} header")
    parts = [item.split("=", 1) for item in header.split(",") if "=" in item]
    stamps = [value for key, value in parts if key.strip() == "t"]
    signatures = [value for key, value in parts if key.strip() == "v1"]
    if len(stamps) != 1 or not stamps[0].isdigit() or not signatures:
        raise WebhookRejectedError(f"{HEADER} header is not t=<timestamp>,v1=<signature>")
    timestamp = int(stamps[0])
    check_timestamp(signed_at=datetime.fromtimestamp(timestamp, UTC), now=now, tolerance=tolerance)
    expected = _digest(secret, payload, timestamp)
    if not any(hmac.compare_digest(expected, signature) for signature in signatures):
        raise WebhookRejectedError("no v1 signature matches the payload")


def _digest(secret: str, payload: bytes, timestamp: int) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
