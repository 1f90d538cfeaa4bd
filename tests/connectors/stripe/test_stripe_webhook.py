"""Stripe webhook route: Stripe-Signature checked (valid, tampered, stale)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from connectors.stripe.emulator import StripeEmulator, sign_payload
from connectors.stripe.webhook import webhook_router

URL = "http://testserver/integrations/stripe/webhook"
SECRET = "whsec_test_secret"


@pytest.fixture
def wired() -> tuple[StripeEmulator, TestClient, list[dict[str, Any]]]:
    """An emulator whose webhooks reach a Nudge app mounting the router."""
    emulator = StripeEmulator(webhook_secret=SECRET)
    received: list[dict[str, Any]] = []
    app = FastAPI()
    app.include_router(webhook_router(webhook_secret=SECRET, on_event=received.append))
    client = TestClient(app)

    def deliver(url: str, headers: dict[str, str], body: bytes) -> None:
        assert client.post(url, content=body, headers=headers).status_code == 204

    emulator.webhook_url = URL
    emulator.webhook_sink = deliver
    return emulator, client, received


def test_signed_events_reach_the_callback(wired):
    emulator, _, received = wired
    customer = emulator.create_customer(name="Umbrella", email="ap@umbrella.example")
    invoice = emulator.create_invoice(customer=customer, number="U-1", total=500, due_date="2026-12-01")
    emulator.pay_invoice(invoice)

    assert [e["type"] for e in received] == [
        "customer.created",
        "invoice.created",
        "invoice.finalized",
        "invoice.paid",
    ]
    paid = received[-1]["data"]["object"]
    assert paid["status_transitions"]["paid_at"]
    assert paid["amount_remaining"] == 0
    assert "paid" not in paid
    assert "subscription" not in paid


def test_tampered_payload_is_rejected(wired):
    _, client, received = wired
    body = json.dumps({"id": "evt_1", "object": "event", "type": "invoice.paid"}).encode()
    headers = {"Stripe-Signature": sign_payload(SECRET, body, int(time.time()))}
    response = client.post(URL, content=body.replace(b"paid", b"void"), headers=headers)
    assert response.status_code == 401
    assert received == []


def test_stale_signature_is_rejected(wired):
    _, client, received = wired
    body = json.dumps({"id": "evt_2", "object": "event", "type": "invoice.paid"}).encode()
    headers = {"Stripe-Signature": sign_payload(SECRET, body, int(time.time()) - 600)}
    response = client.post(URL, content=body, headers=headers)
    assert response.status_code == 401
    assert "tolerance" in response.json()["detail"].lower()
    assert received == []


def test_wrong_secret_is_rejected(wired):
    _, client, _ = wired
    body = b'{"id": "evt_3", "object": "event"}'
    headers = {"Stripe-Signature": sign_payload("whsec_other", body, int(time.time()))}
    assert client.post(URL, content=body, headers=headers).status_code == 401
