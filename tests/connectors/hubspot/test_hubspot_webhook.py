"""HubSpot webhook route: signature v3 checked (valid, tampered, stale, URI decoding)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from connectors.hubspot.emulator import HubSpotEmulator
from connectors.hubspot.signature import SignatureError, verify_v3
from connectors.hubspot.webhook import webhook_router

URL = "http://testserver/integrations/hubspot/webhook"


@pytest.fixture
def wired() -> tuple[HubSpotEmulator, TestClient, list[dict[str, Any]]]:
    """An emulator whose webhooks reach a Nudge app mounting the router."""
    emulator = HubSpotEmulator(client_secret="app-secret")
    received: list[dict[str, Any]] = []
    app = FastAPI()
    app.include_router(webhook_router(client_secret="app-secret", on_events=received.extend))
    client = TestClient(app)
    emulator.webhook_url = URL
    emulator.webhook_sink = lambda url, headers, body: _post_ok(client, url, headers, body)
    return emulator, client, received


def _post_ok(client: TestClient, url: str, headers: dict[str, str], body: bytes) -> None:
    response = client.post(url, content=body, headers=headers)
    assert response.status_code == 204, response.text


def test_signed_change_notifications_trigger_the_callback(wired):
    emulator, _, received = wired
    company = emulator.create("companies", {"name": "Initech"})
    emulator.update("companies", company, {"name": "Initech AG"})
    emulator.archive("companies", company)

    assert [e["subscriptionType"] for e in received] == [
        "company.creation",
        "company.propertyChange",
        "company.deletion",
    ]
    assert all(e["objectId"] == company for e in received)


def test_tampered_body_is_rejected(wired):
    emulator, client, received = wired
    body = json.dumps([{"objectId": 1, "subscriptionType": "company.creation"}]).encode()
    headers = emulator.signed_request(URL, body)
    response = client.post(URL, content=body.replace(b"1", b"2"), headers=headers)
    assert response.status_code == 401
    assert "signature does not match" in response.json()["detail"]
    assert received == []


def test_stale_timestamp_is_rejected_even_with_a_valid_signature(wired):
    emulator, client, received = wired
    body = b"[]"
    six_minutes_ago = int(time.time() * 1000) - 6 * 60 * 1000
    headers = emulator.signed_request(URL, body, timestamp_ms=six_minutes_ago)
    response = client.post(URL, content=body, headers=headers)
    assert response.status_code == 401
    assert "older than 5 minutes" in response.json()["detail"]
    assert received == []


def test_missing_headers_are_rejected(wired):
    _, client, _ = wired
    response = client.post(URL, content=b"[]")
    assert response.status_code == 401


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
