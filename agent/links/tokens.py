"""Action-link tokens: what a link allows, signed with HMAC-SHA256 (pure, no database).

A token is ``<claims>.<signature>``, both base64url: the claims name the alert, the
action, the recipient (whose name the action is taken in), when the link expires and a
random nonce (the link's identity, remembered once used). Changing any byte breaks the
signature; the key is :func:`agent.links.secret.signing_key`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

DOMAIN = b"nudge-action-link:v1:"  # so a signature made for something else never verifies here
ACTIONS = ("acknowledge", "snooze")


class LinkError(Exception):
    """A link that cannot be used; ``message`` is what the page says, ``status`` its HTTP code."""

    status = 400
    title = "This link cannot be used"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TamperedLinkError(LinkError):
    """The signature does not match: altered, truncated, or not made by this Nudge."""

    status = 400
    title = "This link is not valid"


class ExpiredLinkError(LinkError):
    """Past its expiry."""

    status = 410
    title = "This link has expired"


class UsedLinkError(LinkError):
    """Already used once."""

    status = 410
    title = "This link was already used"


@dataclass(frozen=True)
class LinkClaims:
    """What one link allows."""

    alert_id: int
    action: str
    recipient: str
    expires_at: datetime
    nonce: str


def new_claims(*, alert_id: int, action: str, recipient: str, expires_at: datetime) -> LinkClaims:
    """Claims for a fresh link (a new random nonce)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown link action {action!r} (one of {', '.join(ACTIONS)})")
    return LinkClaims(alert_id, action, recipient.lower(), expires_at.astimezone(UTC), secrets.token_hex(12))


def sign(claims: LinkClaims, key: bytes) -> str:
    """The token for ``claims``."""
    body = {
        "a": claims.alert_id,
        "x": claims.action,
        "r": claims.recipient,
        "e": int(claims.expires_at.timestamp()),
        "n": claims.nonce,
    }
    payload = _encode(json.dumps(body, separators=(",", ":"), sort_keys=True).encode("utf-8"))
    return f"{payload}.{_encode(_mac(payload, key))}"


def verify(token: str, key: bytes, *, now: datetime) -> LinkClaims:
    """The claims of an authentic, unexpired token; :class:`LinkError` says what is wrong."""
    payload, dot, signature = token.partition(".")
    try:
        given = _decode(signature)
    except (binascii.Error, ValueError):
        given = b""
    if not dot or not hmac.compare_digest(given, _mac(payload, key)):
        raise TamperedLinkError(
            "The link was changed or cut short on its way (its signature does not match), or it "
            "was not made by this Nudge. Open the e-mail again and use its button, or act in Nudge."
        )
    claims = _claims(json.loads(_decode(payload)))
    if now >= claims.expires_at:
        raise ExpiredLinkError(
            f"It expired on {claims.expires_at:%Y-%m-%d at %H:%M} UTC (links last "
            "NUDGE_LINK_TTL_HOURS). The alert may still need you: open it in Nudge."
        )
    return claims


def _claims(body: dict[str, Any]) -> LinkClaims:
    # Only this module signs claims, so a valid signature guarantees this shape.
    expires = datetime.fromtimestamp(int(body["e"]), UTC)
    return LinkClaims(int(body["a"]), str(body["x"]), str(body["r"]), expires, str(body["n"]))


def _mac(payload: str, key: bytes) -> bytes:
    return hmac.new(key, DOMAIN + payload.encode("ascii", "replace"), hashlib.sha256).digest()


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
