"""HubSpot request signature v3: HMAC-SHA256 over method + URI + body + timestamp, base64.

HubSpot signs the URI with some characters percent-decoded; the SDK's helper hashes the
URI as given, so a URL with e.g. ``%3A`` in its query fails there. We decode exactly the
characters HubSpot lists and reject timestamps more than five minutes away from now, in
either direction (replay window).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from connectors.core.webhooks import WebhookRejectedError

MAX_AGE_MS = 5 * 60 * 1000

# The percent-encodings HubSpot decodes before signing (its "validating requests" guide).
_DECODED = {
    "%3A": ":",
    "%2F": "/",
    "%3F": "?",
    "%40": "@",
    "%21": "!",
    "%24": "$",
    "%27": "'",
    "%28": "(",
    "%29": ")",
    "%2A": "*",
    "%2C": ",",
    "%3B": ";",
}


class SignatureError(WebhookRejectedError):
    """A webhook request whose signature or timestamp does not check out."""


def canonical_uri(uri: str) -> str:
    """The URI as HubSpot signs it: the listed percent-encodings decoded (either case)."""
    out = uri
    for encoded, char in _DECODED.items():
        out = out.replace(encoded, char).replace(encoded.lower(), char)
    return out


def sign_v3(*, secret: str, method: str, uri: str, body: bytes, timestamp_ms: int) -> str:
    """The ``X-HubSpot-Signature-v3`` value for a request."""
    message = method.upper().encode() + canonical_uri(uri).encode() + body + str(timestamp_ms).encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_v3(
    *,
    secret: str,
    method: str,
    uri: str,
    body: bytes,
    signature: str | None,
    timestamp: str | None,
    now_ms: int | None = None,
) -> None:
    """Raise :class:`SignatureError` unless the signature matches and is fresh."""
    if not signature or not timestamp:
        raise SignatureError("missing X-HubSpot-Signature-v3 or X-HubSpot-Request-Timestamp")
    try:
        timestamp_ms = int(timestamp)
    except ValueError:
        raise SignatureError(f"X-HubSpot-Request-Timestamp is not a number: {timestamp!r}") from None
    now = int(time.time() * 1000) if now_ms is None else now_ms
    if now - timestamp_ms > MAX_AGE_MS:
        raise SignatureError("request timestamp is older than 5 minutes")
    if timestamp_ms - now > MAX_AGE_MS:
        raise SignatureError("request timestamp is more than 5 minutes in the future")
    expected = sign_v3(secret=secret, method=method, uri=uri, body=body, timestamp_ms=timestamp_ms)
    if not hmac.compare_digest(expected, signature):
        raise SignatureError("signature does not match")
