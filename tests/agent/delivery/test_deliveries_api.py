"""``GET /api/deliveries``: each caller sees the messages they may see, filtered and paged."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.app import create_app
from agent.db.database import Database
from agent.profile.tables import Person
from agent.settings import Settings
from tests.agent.alerts.factories import person
from tests.agent.delivery.factories import deliver, deliveries, due_notifications
from tests.connectors.recorder.install import install_recorder
from tests.factories import token_for


def test_ops_see_every_message_and_a_csm_only_theirs(
    session: Session, database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    install_recorder(monkeypatch, tmp_path)
    due_notifications(session, settings)
    deliver(database, settings)
    messages = deliveries(session)
    client = TestClient(create_app(settings=settings, database=database))
    ops = {"Authorization": f"Bearer {token_for(session, person(session, 'ops'))}"}
    recipient = next(d.recipient for d in messages if d.state == "sent")
    csm = session.scalars(select(Person).where(Person.email == recipient)).one()
    as_csm = {"Authorization": f"Bearer {token_for(session, csm)}"}

    everything = client.get("/api/deliveries", params={"limit": 500}, headers=ops).json()
    assert everything["total"] == len(everything["items"]) == len(messages)
    own = client.get("/api/deliveries", headers=as_csm).json()
    assert own["total"] >= 1
    assert {item["recipient"] for item in own["items"]} == {csm.email}
    [mine] = [item for item in own["items"] if item["state"] == "sent"]
    assert mine["vendor_ref"].startswith("rec-")
    assert (mine["channel"], mine["recipient_name"]) == ("email", csm.name)
    assert mine["alerts"]
    assert mine["subject"].endswith("account(s)")

    crm = client.get("/api/deliveries", params={"channel": "crm_task"}, headers=ops).json()
    assert crm["total"] > 0
    assert {(i["state"], i["last_error"]) for i in crm["items"]} == {
        ("undeliverable", "no notifier is configured for the crm_task channel")
    }
    first = client.get("/api/deliveries", params={"limit": 2}, headers=ops).json()
    second = client.get("/api/deliveries", params={"limit": 2, "offset": 2}, headers=ops).json()
    assert [i["id"] for i in first["items"] + second["items"]] == [d.id for d in reversed(messages)][:4]
    assert (
        client.get("/api/deliveries", params={"recipient": recipient}, headers=ops).json()["total"]
        == own["total"]
    )
    assert client.get("/api/deliveries").status_code == 401
