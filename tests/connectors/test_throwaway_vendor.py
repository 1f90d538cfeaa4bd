"""A vendor installed from the test suite plugs in with no edit anywhere else: Ledgerly
(``tests/connectors/throwaway/``) is synced into the profile by ``nudge sync`` and by its
webhook, which the app mounts and verifies, and the delivery pipeline sends the outbox's
``crm_task`` channel through its notifier."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.app import create_app
from agent.cli.main import main
from agent.db.database import Database
from agent.profile.priority import default_priority
from agent.profile.resolution import other_id_sources
from agent.profile.tables import Account, Invoice
from agent.settings import Settings
from agent.sync.trigger import SyncTrigger
from connectors.core.registry import available, configured, get, notifiers
from connectors.emulators import run_local_vendors
from tests.agent.delivery.factories import deliver, deliveries, due_notifications
from tests.connectors.throwaway.install import register_ledgerly
from tests.connectors.throwaway.vendor import WEBHOOK_PATH, LedgerlyNotifier, sign

URL = f"http://testserver{WEBHOOK_PATH}"
CUSTOMERS = [{"id": "lc_1", "name": "Wayne Enterprises", "domain": "wayne.example", "currency": "EUR"}]
INVOICES = [
    {"id": f"li_{n}", "customer": "lc_1", "number": f"L-{n}", "currency": "EUR", "total": "1200.00"}
    | {"issued": "2026-10-01", "due": "2026-10-31"}
    for n in (1, 2, 3)
]


@pytest.fixture
def ledgerly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database: Database) -> Iterator[Any]:
    """Ledgerly installed, its emulator seeded and served, NUDGE_* pointing Nudge at both."""
    register_ledgerly(tmp_path / "site-packages", monkeypatch)
    spec = get("ledgerly")
    assert spec.emulator is not None
    emulator = spec.emulator.create()
    emulator.seed(customers=CUSTOMERS, invoices=INVOICES)
    with run_local_vendors(ledgerly=emulator) as vendors:
        for name, value in vendors.env().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("NUDGE_DATABASE_URL", database.engine.url.render_as_string(hide_password=False))
        yield emulator


def invoices(database: Database) -> dict[str, str]:
    with database.sessions() as session:
        return dict(session.execute(select(Invoice.external_id, Invoice.status)).tuples().all())


def test_nudge_sync_brings_the_vendor_into_the_profile(
    ledgerly: Any, database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert set(available()) == {"email", "hubspot", "salesforce", "slack", "stripe", "ledgerly"}
    assert list(configured("source")) == ["ledgerly"]

    assert main(["sync", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [(r["source"], r["status"], r["records_read"]) for r in report["runs"]] == [("ledgerly", "ok", 4)]
    with database.sessions() as session:
        wayne = session.scalars(select(Account)).one()
        assert (wayne.name, wayne.currency) == ("Wayne Enterprises", "EUR")
        assert {(x.source, x.external_id) for x in wayne.external_ids} == {("ledgerly", "lc_1")}
        assert wayne.field_sources["currency"]["source"] == "ledgerly"
    assert invoices(database) == {"li_1": "open", "li_2": "open", "li_3": "open"}
    assert default_priority()["currency"][:2] == ("ledgerly", "stripe")
    assert other_id_sources()["ledgerly_customer_id"] == "ledgerly"


def test_its_webhook_is_mounted_verified_and_syncs_what_changed(
    ledgerly: Any, database: Database, tmp_path: Path
) -> None:
    settings = Settings(home=tmp_path, database_url=database.engine.url.render_as_string(hide_password=False))
    client = TestClient(create_app(settings=settings, database=database))
    trigger: SyncTrigger = client.app.state.sync_trigger  # type: ignore[attr-defined]
    answers: list[int] = []
    ledgerly.webhook_url = URL
    ledgerly.webhook_sink = lambda url, headers, body: answers.append(
        client.post(url, content=body, headers=headers).status_code
    )

    ledgerly.pay("li_2", paid_at="2026-11-02T10:00:00+00:00")
    assert trigger.wait_idle(timeout=60)

    assert answers == [204]
    assert invoices(database) == {"li_1": "open", "li_2": "paid", "li_3": "open"}
    body = b'{"type": "invoice.paid", "id": "li_3"}'
    forged = {"X-Ledgerly-Signature": sign("not-the-secret", body, int(time.time()))}
    refused = client.post(URL, content=body, headers=forged)
    assert (refused.status_code, refused.json()) == (
        401,
        {"detail": "ledgerly webhook refused: signature does not match"},
    )
    for offset, reason in ((-400, "more than 300 s old"), (400, "more than 300 s in the future")):
        stale = {"X-Ledgerly-Signature": sign(ledgerly.webhook_secret, body, int(time.time()) + offset)}
        answer = client.post(URL, content=body, headers=stale)
        assert (answer.status_code, answer.json()["detail"]) == (
            401,
            f"ledgerly webhook refused: signature timestamp is {reason}",
        )


def test_a_webhook_secret_without_its_connector_mounts_no_route(
    ledgerly: Any, database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NUDGE_LEDGERLY_API_KEY")
    settings = Settings(home=tmp_path, database_url=database.engine.url.render_as_string(hide_password=False))
    client = TestClient(create_app(settings=settings, database=database))
    body = b'{"type": "invoice.paid", "id": "li_1"}'
    headers = {"X-Ledgerly-Signature": sign(ledgerly.webhook_secret, body, int(time.time()))}
    assert client.post(URL, content=body, headers=headers).status_code == 404


def test_the_delivery_pipeline_sends_its_channel_through_its_notifier(
    ledgerly: Any, database: Database, session: Session, settings: Settings
) -> None:
    served = notifiers()
    assert list(served) == ["crm_task"]
    assert isinstance(served["crm_task"], LedgerlyNotifier)
    due = due_notifications(session, settings)
    tasks_due = {row.receiver for row in due if row.channel == "crm_task"}
    assert tasks_due

    report = deliver(database, settings)  # the configured notifiers, from the registry

    assert report.channels["crm_task"]["sent"] == len(ledgerly.tasks) == len(tasks_due)
    assert {task["to"] for task in ledgerly.tasks} == tasks_due
    sent = [d for d in deliveries(session) if d.channel == "crm_task"]
    assert {(d.state, d.attempts) for d in sent} == {("sent", 1)}
    assert sorted(str(d.vendor_ref) for d in sent) == sorted(f"task_{n}" for n in range(1, len(sent) + 1))
    assert all(
        d.text and d.text.splitlines()[0] in task["text"]
        for d, task in zip(sent, ledgerly.tasks, strict=True)
    )
    # channels nobody serves are reported, not dropped
    assert report.channels["email"]["undeliverable"] > 0
    deliver(database, settings)
    assert len(ledgerly.tasks) == len(tasks_due)  # nothing is sent twice


def test_the_vendor_is_there_only_while_installed() -> None:
    assert "ledgerly" not in available()
