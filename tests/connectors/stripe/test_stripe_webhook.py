"""Stripe webhook: Stripe-Signature checked (valid, tampered, stale, from the future, wrong secret)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from connectors.core.webhooks import InboundRequest, WebhookRejectedError
from connectors.stripe.emulator import StripeEmulator
from connectors.stripe.signature import sign_payload
from connectors.stripe.webhook import PATH, route

URL = f"http://testserver{PATH}"
SECRET = "whsec_test_secret"
RECEIVE = route(webhook_secret=SECRET).receive
EVENT = json.dumps({"id": "evt_1", "object": "event", "type": "invoice.paid"}).encode()


def now() -> datetime:
    return datetime.now(UTC)


def signed(body: bytes, *, at: datetime, secret: str = SECRET) -> InboundRequest:
    header = sign_payload(secret, body, int(at.timestamp()))
    return InboundRequest(method="POST", url=URL, headers={"stripe-signature": header}, body=body)


@pytest.fixture
def wired() -> tuple[StripeEmulator, list[dict[str, Any]], list[str]]:
    """An emulator whose signed events go through the route's verification."""
    emulator = StripeEmulator(webhook_secret=SECRET)
    received: list[dict[str, Any]] = []
    syncs: list[str] = []

    def deliver(url: str, headers: dict[str, str], body: bytes) -> None:
        events = RECEIVE(InboundRequest(method="POST", url=url, headers=headers, body=body), now())
        received.extend(events.events)
        syncs.extend(events.sync)

    emulator.webhook_url = URL
    emulator.webhook_sink = deliver
    return emulator, received, syncs


def test_signed_events_ask_for_a_stripe_sync(wired):
    emulator, received, syncs = wired
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
    assert syncs == ["stripe"] * 4


def test_tampered_payload_is_rejected():
    request = signed(EVENT, at=now())
    tampered = InboundRequest(
        method="POST", url=URL, headers=request.headers, body=EVENT.replace(b"paid", b"void")
    )
    with pytest.raises(WebhookRejectedError, match=r"^no v1 signature matches the payload$") as refused:
        RECEIVE(tampered, now())
    assert refused.value.status == 401


@pytest.mark.parametrize(
    ("offset", "reason"),
    [
        (timedelta(seconds=-301), "signature timestamp is more than 300 s old"),
        (timedelta(seconds=301), "signature timestamp is more than 300 s in the future"),
    ],
)
def test_a_valid_signature_outside_the_tolerance_is_rejected_either_way(offset, reason):
    sent = now()
    request = signed(EVENT, at=sent)
    assert RECEIVE(request, sent + timedelta(seconds=299)).sync == ("stripe",)
    with pytest.raises(WebhookRejectedError, match=f"^{reason}$"):
        RECEIVE(request, sent - offset)


def test_wrong_secret_and_forged_headers_are_rejected():
    with pytest.raises(WebhookRejectedError, match="no v1 signature matches"):
        RECEIVE(signed(EVENT, at=now(), secret="whsec_other"), now())
    forged = InboundRequest(method="POST", url=URL, headers={"Stripe-Signature": "t=1"}, body=EVENT)
    with pytest.raises(WebhookRejectedError, match="is not t=<timestamp>,v1=<signature>"):
        RECEIVE(forged, now())
    with pytest.raises(WebhookRejectedError, match="missing Stripe-Signature header"):
        RECEIVE(InboundRequest(method="POST", url=URL, headers={}, body=EVENT), now())


def test_a_signed_body_that_is_not_an_event_is_a_bad_request():
    with pytest.raises(WebhookRejectedError, match="body is not a Stripe event object") as refused:
        RECEIVE(signed(b"[1, 2]", at=now()), now())
    assert refused.value.status == 400


def test_an_event_is_named_by_its_id_for_replay_refusal():
    assert RECEIVE(signed(EVENT, at=now()), now()).delivery == "evt_1"
