"""Vendor webhooks through the app: a signed one triggers a background sync, a bad one is refused."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from agent.app import create_app
from agent.db.database import Database
from agent.profile.tables import Account, Invoice
from agent.settings import Settings
from agent.sync.tables import SyncRun
from agent.sync.trigger import SyncTrigger
from connectors.emulators import LocalVendors, run_local_vendors
from connectors.stripe.signature import sign_payload
from tests.agent.sync import factories
from tests.factories import make_person, token_for

HUBSPOT_URL = "http://testserver/integrations/hubspot/webhook"
STRIPE_URL = "http://testserver/integrations/stripe/webhook"


@pytest.fixture
def wired(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[LocalVendors, TestClient]]:
    """Emulators whose signed webhooks reach a Nudge app configured for them."""
    with run_local_vendors(hubspot=factories.hubspot(), stripe=factories.stripe()) as vendors:
        for name, value in vendors.env().items():
            monkeypatch.setenv(name, value)
        settings = Settings(
            home=tmp_path, database_url=database.engine.url.render_as_string(hide_password=False)
        )
        client = TestClient(create_app(settings=settings, database=database))
        for emulator, url in (
            (vendors.emulators["hubspot"], HUBSPOT_URL),
            (vendors.emulators["stripe"], STRIPE_URL),
        ):
            assert emulator is not None
            emulator.webhook_url = url
            emulator.webhook_sink = lambda u, headers, body: _post(client, u, headers, body)
        yield vendors, client


def _post(client: TestClient, url: str, headers: dict[str, str], body: bytes) -> None:
    assert client.post(url, content=body, headers=headers).status_code == 204


def runs(database: Database) -> list[tuple[str, str]]:
    with database.sessions() as session:
        return [(r.source, r.status) for r in session.scalars(select(SyncRun).order_by(SyncRun.id))]


def settle(client: TestClient) -> None:
    trigger: SyncTrigger = client.app.state.sync_trigger  # type: ignore[attr-defined]
    assert trigger.wait_idle(timeout=60)


def test_signed_webhooks_sync_what_changed(
    wired: tuple[LocalVendors, TestClient], database: Database
) -> None:
    vendors, client = wired
    assert vendors.emulators["hubspot"] is not None
    assert vendors.emulators["stripe"] is not None
    vendors.emulators["hubspot"].create("companies", {"name": "Umbrella", "domain": "umbrella.example"})
    settle(client)
    vendors.emulators["stripe"].create_customer(
        id="cus_umbrella", name="Umbrella Corp", email="ap@umbrella.example"
    )
    settle(client)
    vendors.emulators["stripe"].pay_invoice("in_0001")
    settle(client)
    assert {source for source, status in runs(database) if status == "ok"} == {"hubspot", "stripe"}
    with database.sessions() as session:
        umbrella = session.scalars(select(Account).where(Account.name == "Umbrella")).one()
        assert {(x.source, x.external_id) for x in umbrella.external_ids} >= {("stripe", "cus_umbrella")}
        assert session.scalar(select(Invoice.status).where(Invoice.external_id == "in_0001")) == "paid"


def test_bad_signatures_are_refused_and_sync_nothing(
    wired: tuple[LocalVendors, TestClient], database: Database
) -> None:
    vendors, client = wired
    assert vendors.emulators["hubspot"] is not None
    body = b'[{"objectId": 1, "subscriptionType": "company.creation"}]'
    headers = vendors.emulators["hubspot"].signed_request(HUBSPOT_URL, body)
    assert client.post(HUBSPOT_URL, content=body + b" ", headers=headers).status_code == 401
    stale = vendors.emulators["hubspot"].signed_request(
        HUBSPOT_URL, body, timestamp_ms=int(time.time() * 1000) - 600_000
    )
    assert client.post(HUBSPOT_URL, content=body, headers=stale).status_code == 401
    forged = {"Stripe-Signature": "t=1,v1=00", "Content-Type": "application/json"}
    assert client.post(STRIPE_URL, content=b'{"id": "evt_1"}', headers=forged).status_code == 401
    settle(client)
    assert runs(database) == []


def test_sync_runs_are_listed_for_ops_not_csms(
    wired: tuple[LocalVendors, TestClient], database: Database
) -> None:
    vendors, client = wired
    assert vendors.emulators["stripe"] is not None
    vendors.emulators["stripe"].pay_invoice("in_0004")
    settle(client)
    with database.sessions() as session:
        ops = token_for(session, make_person(session, "ops@nudge.example", role="ops"))
        csm = token_for(session, make_person(session, "maya@nudge.example", role="csm"))
    listed = client.get("/api/sync/runs", headers={"Authorization": f"Bearer {ops}"}).json()
    assert [(r["source"], r["status"], r["full"]) for r in listed] == [("stripe", "ok", False)]
    assert listed[0]["records_read"] >= 30
    assert listed[0]["api_calls"] > 0
    assert client.get("/api/sync/runs", headers={"Authorization": f"Bearer {csm}"}).status_code == 403


def test_requests_during_a_run_coalesce_into_one_more_run() -> None:
    started, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def slow_sync(source_name: str) -> None:
        calls.append(source_name)
        started.set()
        release.wait(5)

    trigger = SyncTrigger(slow_sync)
    assert trigger.request("stripe")
    assert started.wait(5)
    assert [trigger.request("stripe") for _ in range(5)] == [False] * 5  # one already runs
    release.set()
    assert trigger.wait_idle(timeout=5)
    assert calls == ["stripe", "stripe"]


def test_a_webhook_secret_alone_mounts_no_route(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the API key nothing could sync what the events announce: no route, not a 204."""
    monkeypatch.setenv("NUDGE_STRIPE_WEBHOOK_SECRET", "whsec_test")
    settings = Settings(home=tmp_path, database_url=database.engine.url.render_as_string(hide_password=False))
    client = TestClient(create_app(settings=settings, database=database))
    assert (
        client.post(STRIPE_URL, content=b"{}", headers={"Stripe-Signature": "t=1,v1=00"}).status_code == 404
    )
    monkeypatch.setenv("NUDGE_STRIPE_API_KEY", "sk_test_x")
    client = TestClient(create_app(settings=settings, database=database))
    assert (
        client.post(STRIPE_URL, content=b"{}", headers={"Stripe-Signature": "t=1,v1=00"}).status_code == 401
    )


def stripe_headers(vendors: LocalVendors, body: bytes, at: int | None = None) -> dict[str, str]:
    stripe = vendors.emulators["stripe"]
    assert stripe is not None
    signed = sign_payload(stripe.webhook_secret, body, int(time.time()) if at is None else at)
    return {"Stripe-Signature": signed, "Content-Type": "application/json"}


def test_a_replayed_hubspot_request_is_refused_and_syncs_once(
    wired: tuple[LocalVendors, TestClient], database: Database
) -> None:
    vendors, client = wired
    assert vendors.emulators["hubspot"] is not None
    body = b'[{"eventId": 7, "objectId": 1, "subscriptionType": "company.creation"}]'
    headers = vendors.emulators["hubspot"].signed_request(HUBSPOT_URL, body)
    assert client.post(HUBSPOT_URL, content=body, headers=headers).status_code == 204
    settle(client)
    replay = client.post(HUBSPOT_URL, content=body, headers=headers)
    assert (replay.status_code, replay.json()) == (
        409,
        {"detail": "hubspot webhook refused: delivery already received"},
    )
    settle(client)
    assert runs(database) == [("hubspot", "ok")]


def test_a_replayed_stripe_event_is_refused_by_another_replica_too(
    wired: tuple[LocalVendors, TestClient], database: Database
) -> None:
    vendors, client = wired
    body = b'{"id": "evt_replayed", "type": "invoice.paid", "data": {"object": {}}}'
    assert client.post(STRIPE_URL, content=body, headers=stripe_headers(vendors, body)).status_code == 204
    settle(client)
    settings: Settings = client.app.state.settings  # type: ignore[attr-defined]
    replica = TestClient(create_app(settings=settings, database=database))
    resent = stripe_headers(vendors, body)  # even freshly signed: the event id was seen
    assert replica.post(STRIPE_URL, content=body, headers=resent).status_code == 409
    assert client.post(STRIPE_URL, content=body, headers=resent).status_code == 409
    settle(replica)
    assert runs(database) == [("stripe", "ok")]


def test_a_signed_json_array_to_stripe_is_a_400(wired: tuple[LocalVendors, TestClient]) -> None:
    vendors, client = wired
    for body in (b'[{"id": "evt_1"}]', b'"evt_1"', b'{"type": "invoice.paid"}'):
        answer = client.post(STRIPE_URL, content=body, headers=stripe_headers(vendors, body))
        assert (answer.status_code, answer.json()) == (
            400,
            {"detail": "stripe webhook refused: body is not a Stripe event object"},
        )


def test_timestamps_from_the_future_are_refused(wired: tuple[LocalVendors, TestClient]) -> None:
    vendors, client = wired
    assert vendors.emulators["hubspot"] is not None
    body = b'[{"eventId": 8, "objectId": 1, "subscriptionType": "company.creation"}]'
    ahead = vendors.emulators["hubspot"].signed_request(
        HUBSPOT_URL, body, timestamp_ms=int(time.time() * 1000) + 600_000
    )
    answer = client.post(HUBSPOT_URL, content=body, headers=ahead)
    assert (answer.status_code, answer.json()["detail"]) == (
        401,
        "hubspot webhook refused: request timestamp is more than 5 minutes in the future",
    )
    event = b'{"id": "evt_future"}'
    answer = client.post(
        STRIPE_URL, content=event, headers=stripe_headers(vendors, event, int(time.time()) + 600)
    )
    assert (answer.status_code, answer.json()["detail"]) == (
        401,
        "stripe webhook refused: signature timestamp is more than 300 s in the future",
    )
