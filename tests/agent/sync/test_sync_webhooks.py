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
