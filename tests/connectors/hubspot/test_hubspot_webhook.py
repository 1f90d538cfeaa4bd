"""HubSpot webhook: signature v3 checked (valid, tampered, stale, from the future, URI decoding)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from connectors.core.webhooks import InboundRequest, WebhookRejectedError
from connectors.hubspot.emulator import HubSpotEmulator
from connectors.hubspot.signature import SignatureError, verify_v3
from connectors.hubspot.webhook import PATH, route

URL = f"http://testserver{PATH}"
RECEIVE = route(client_secret="app-secret").receive


def now() -> datetime:
    return datetime.now(UTC)


def posted(url: str, headers: dict[str, str], body: bytes) -> InboundRequest:
    return InboundRequest(method="POST", url=url, headers=headers, body=body)


@pytest.fixture
def wired() -> tuple[HubSpotEmulator, list[dict[str, Any]], list[str]]:
    """An emulator whose signed webhooks go through the route's verification."""
    emulator = HubSpotEmulator(client_secret="app-secret")
    received: list[dict[str, Any]] = []
    syncs: list[str] = []

    def deliver(url: str, headers: dict[str, str], body: bytes) -> None:
        events = RECEIVE(posted(url, headers, body), now())
        received.extend(events.events)
        syncs.extend(events.sync)

    emulator.webhook_url = URL
    emulator.webhook_sink = deliver
    return emulator, received, syncs


def test_signed_change_notifications_ask_for_a_hubspot_sync(wired):
    emulator, received, syncs = wired
    company = emulator.create("companies", {"name": "Initech"})
    emulator.update("companies", company, {"name": "Initech AG"})
    emulator.archive("companies", company)

    assert [e["subscriptionType"] for e in received] == [
        "company.creation",
        "company.propertyChange",
        "company.deletion",
    ]
    assert all(e["objectId"] == company for e in received)
    assert syncs == ["hubspot"] * 3


def test_tampered_body_is_rejected():
    emulator = HubSpotEmulator(client_secret="app-secret")
    body = json.dumps([{"objectId": 1, "subscriptionType": "company.creation"}]).encode()
    headers = emulator.signed_request(URL, body)
    with pytest.raises(WebhookRejectedError, match=r"^signature does not match$") as refused:
        RECEIVE(posted(URL, headers, body.replace(b"1", b"2")), now())
    assert refused.value.status == 401


@pytest.mark.parametrize(
    ("offset", "reason"),
    [
        (-timedelta(minutes=6), "request timestamp is older than 5 minutes"),
        (timedelta(minutes=6), "request timestamp is more than 5 minutes in the future"),
    ],
)
def test_a_valid_signature_outside_the_window_is_rejected_either_way(offset, reason):
    emulator = HubSpotEmulator(client_secret="app-secret")
    sent = now()
    headers = emulator.signed_request(URL, b"[]", timestamp_ms=int(sent.timestamp() * 1000))
    RECEIVE(posted(URL, headers, b"[]"), sent + timedelta(minutes=4))  # inside the window
    with pytest.raises(WebhookRejectedError, match=f"^{reason}$"):
        RECEIVE(posted(URL, headers, b"[]"), sent - offset)


def test_missing_headers_are_rejected():
    with pytest.raises(WebhookRejectedError, match="missing X-HubSpot-Signature-v3"):
        RECEIVE(posted(URL, {}, b"[]"), now())


def test_a_signed_body_that_is_not_json_is_a_bad_request():
    emulator = HubSpotEmulator(client_secret="app-secret")
    headers = emulator.signed_request(URL, b"not json")
    with pytest.raises(WebhookRejectedError, match="body is not JSON") as refused:
        RECEIVE(posted(URL, headers, b"not json"), now())
    assert refused.value.status == 400


def test_signature_follows_hubspot_v3_with_decoded_uri():
    """HubSpot signs the URI with e.g. ``%3A`` decoded; the raw URI we receive still verifies."""
    secret, body, ts = "app-secret", b'[{"objectId":7}]', int(time.time() * 1000)
    decoded = "https://nudge.example/integrations/hubspot/webhook?portal=a:b&next=/x"
    expected = base64.b64encode(
        hmac.new(
            secret.encode(), b"POST" + decoded.encode() + body + str(ts).encode(), hashlib.sha256
        ).digest()
    ).decode()
    encoded = "https://nudge.example/integrations/hubspot/webhook?portal=a%3Ab&next=%2Fx"

    verify_v3(secret=secret, method="POST", uri=encoded, body=body, signature=expected, timestamp=str(ts))
    with pytest.raises(SignatureError):
        verify_v3(
            secret="other", method="POST", uri=encoded, body=body, signature=expected, timestamp=str(ts)
        )


def test_a_batch_is_named_by_its_signature_for_replay_refusal():
    emulator = HubSpotEmulator(client_secret="app-secret")
    body = b'[{"eventId": 1, "objectId": 2, "subscriptionType": "company.creation"}]'
    headers = emulator.signed_request(URL, body)
    assert RECEIVE(posted(URL, headers, body), now()).delivery == headers["X-HubSpot-Signature-v3"]


def test_a_signed_batch_of_non_objects_is_a_bad_request():
    emulator = HubSpotEmulator(client_secret="app-secret")
    body = b"[1, 2]"
    with pytest.raises(WebhookRejectedError, match="body is not a list of HubSpot events") as refused:
        RECEIVE(posted(URL, emulator.signed_request(URL, body), body), now())
    assert refused.value.status == 400
