"""People act on alerts through the API: every change recorded, scoped to the accounts they see."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.alerts.tables import Alert, AlertEvent
from agent.app import create_app
from agent.audit.tables import AuditEntry
from agent.db.database import Database
from agent.db.types import utcnow
from agent.profile.tables import Dispute, PaymentPromise
from agent.settings import Settings
from tests.agent.alerts.factories import (
    CYCLE_START,
    firing_invoice_alert,
    load_book,
    owner_of,
    person,
    run_cycle,
    someone_else,
)
from tests.factories import token_for


@pytest.fixture
def client(database: Database, settings: Settings, session: Session) -> TestClient:
    load_book(session)
    run_cycle(session, settings)
    return TestClient(create_app(settings=settings, database=database))


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_owner_acknowledges_and_the_change_is_recorded(client: TestClient, session: Session) -> None:
    alert = firing_invoice_alert(session)
    owner = owner_of(session, alert)
    answer = client.post(f"/api/alerts/{alert.id}/acknowledge", headers=auth(token_for(session, owner)))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["state"] == "acknowledged"
    assert [(e["kind"], e["actor"]) for e in body["events"]] == [
        ("opened", "nudge"),
        ("acknowledge", owner.email),
    ]
    session.expire_all()
    assert session.get_one(Alert, alert.id).state == "acknowledged"
    audit = session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "alert")).one()
    assert (audit.actor, audit.action, audit.entity_id) == (owner.email, "alert.acknowledge", str(alert.id))
    again = client.post(f"/api/alerts/{alert.id}/acknowledge", headers=auth(token_for(session, owner)))
    assert again.status_code == 409
    assert again.json()["detail"] == "cannot acknowledge an alert that is acknowledged"


def test_a_csm_cannot_see_or_act_on_another_csms_alerts(client: TestClient, session: Session) -> None:
    alert = firing_invoice_alert(session)
    token = token_for(session, someone_else(session, alert))
    assert client.get(f"/api/alerts/{alert.id}", headers=auth(token)).status_code == 404
    assert client.post(f"/api/alerts/{alert.id}/close", headers=auth(token)).status_code == 404
    listed = client.get("/api/alerts", headers=auth(token)).json()
    assert alert.id not in {a["id"] for a in listed}
    session.expire_all()
    assert session.get_one(Alert, alert.id).state == "firing"


def test_a_promise_to_pay_snoozes_until_its_date_and_resumes_when_broken(
    client: TestClient, session: Session, settings: Settings
) -> None:
    alert = firing_invoice_alert(session)
    owner = owner_of(session, alert)
    promised = utcnow().date() + timedelta(days=5)
    answer = client.post(
        f"/api/alerts/{alert.id}/snooze",
        headers=auth(token_for(session, owner)),
        json={"promise_date": promised.isoformat(), "amount": "1200.50"},
    )
    assert answer.status_code == 200, answer.text
    assert (answer.json()["state"], answer.json()["snoozed_until"]) == ("snoozed", promised.isoformat())
    promise = session.scalars(select(PaymentPromise).order_by(PaymentPromise.id.desc())).first()
    assert promise is not None
    assert (promise.invoice_id, promise.promised_date, promise.amount, promise.created_by_id) == (
        alert.invoice_id,
        promised,
        Decimal("1200.50"),
        owner.id,
    )
    event = session.scalars(select(AlertEvent).where(AlertEvent.kind == "snooze")).one()
    assert event.detail == {
        "until": promised.isoformat(),
        "reason": "promise to pay",
        "promise_id": promise.id,
    }
    run_cycle(session, settings, after=timedelta(hours=1))
    session.expire_all()
    assert session.get_one(Alert, alert.id).state == "snoozed"
    # The promised day passes and the rule still fires: the alert comes back.
    counts = run_cycle(session, settings, after=datetime.combine(promised, time(9), UTC) - CYCLE_START)
    session.expire_all()
    assert counts.resumed == 1
    assert session.get_one(Alert, alert.id).state == "firing"
    last = session.scalars(
        select(AlertEvent).where(AlertEvent.alert_id == alert.id).order_by(AlertEvent.id)
    ).all()[-1]
    assert (last.kind, last.actor, last.detail) == ("resumed", "nudge", {"snooze_reason": "promise to pay"})


def test_snoozing_needs_a_future_date(client: TestClient, session: Session) -> None:
    alert = firing_invoice_alert(session)
    token = token_for(session, owner_of(session, alert))
    past = client.post(f"/api/alerts/{alert.id}/snooze", headers=auth(token), json={"until": "2020-01-01"})
    assert past.status_code == 409
    assert past.json()["detail"] == "a snooze needs an end date after today"
    both = client.post(
        f"/api/alerts/{alert.id}/snooze",
        headers=auth(token),
        json={"until": "2099-01-01", "promise_date": "2099-01-01"},
    )
    assert both.status_code == 422


def test_a_dispute_opens_on_the_invoice_and_resolves(client: TestClient, session: Session) -> None:
    alert = firing_invoice_alert(session)
    token = token_for(session, owner_of(session, alert))
    opened = client.post(f"/api/alerts/{alert.id}/dispute", headers=auth(token), json={"reason": "pricing"})
    assert opened.status_code == 201, opened.text
    dispute = opened.json()
    assert (dispute["invoice_id"], dispute["status"], dispute["reason"]) == (
        alert.invoice_id,
        "open",
        "pricing",
    )
    duplicate = client.post(
        f"/api/alerts/{alert.id}/dispute", headers=auth(token), json={"reason": "pricing"}
    )
    assert duplicate.status_code == 422
    resolved = client.post(
        f"/api/disputes/{dispute['id']}/resolve", headers=auth(token), json={"note": "credit note"}
    )
    assert resolved.json()["status"] == "resolved"
    assert client.post(f"/api/disputes/{dispute['id']}/resolve", headers=auth(token)).status_code == 422
    session.expire_all()
    assert session.get_one(Dispute, dispute["id"]).resolved_at is not None
    kinds = [e["kind"] for e in client.get(f"/api/alerts/{alert.id}", headers=auth(token)).json()["events"]]
    assert kinds == ["opened", "disputed"]


def test_the_alert_list_filters_by_state_severity_rule_and_owner(
    client: TestClient, session: Session
) -> None:
    ops = token_for(session, person(session, "ops"))
    every = client.get("/api/alerts", headers=auth(ops)).json()
    stored = session.scalars(select(Alert)).all()
    assert {a["id"] for a in every} == {a.id for a in stored}
    high = client.get("/api/alerts", params={"severity": "high"}, headers=auth(ops)).json()
    assert {a["id"] for a in high} == {a.id for a in stored if a.severity == "high"}
    rule = stored[0].rule
    by_rule = client.get("/api/alerts", params={"rule": rule, "state": "firing"}, headers=auth(ops)).json()
    assert {a["id"] for a in by_rule} == {a.id for a in stored if a.rule == rule}
    owner = owner_of(session, stored[0])
    mine = client.get("/api/alerts", params={"owner_id": owner.id}, headers=auth(ops)).json()
    assert {a["owner_name"] for a in mine} == {owner.name}
    assert client.get("/api/alerts", headers=auth(token_for(session, owner))).json() == mine


def test_silences_are_managed_by_ops(client: TestClient, session: Session) -> None:
    csm = token_for(session, person(session, "csm"))
    ops_person = person(session, "ops")
    ops = token_for(session, ops_person)
    body = {"matchers": ["rule=dso-worsening"], "reason": "quarter close", "ends_at": "2099-01-01T00:00:00Z"}
    assert client.post("/api/silences", headers=auth(csm), json=body).status_code == 403
    created = client.post("/api/silences", headers=auth(ops), json=body)
    assert created.status_code == 201, created.text
    assert created.json()["creator"] == ops_person.email
    bad = client.post("/api/silences", headers=auth(ops), json=body | {"matchers": ["rule"]})
    assert bad.status_code == 422
    assert [s["id"] for s in client.get("/api/silences", headers=auth(csm)).json()] == [created.json()["id"]]
    assert client.delete(f"/api/silences/{created.json()['id']}", headers=auth(ops)).status_code == 204
    assert client.get("/api/silences", headers=auth(ops)).json() == []
    assert date.fromisoformat(created.json()["ends_at"][:10]) == date(2099, 1, 1)


def test_a_closed_alert_stays_closed_while_its_condition_still_holds(
    client: TestClient, session: Session, settings: Settings
) -> None:
    alert = firing_invoice_alert(session)
    token = token_for(session, owner_of(session, alert))
    closed = client.post(
        f"/api/alerts/{alert.id}/close", headers=auth(token), json={"reason": "handled by phone"}
    )
    assert (closed.json()["state"], closed.json()["resolution"]) == ("resolved", "closed")
    counts = run_cycle(session, settings, after=timedelta(hours=1))
    assert (counts.opened, counts.reopened) == (0, 0)
    session.expire_all()
    same = session.scalars(select(Alert).where(Alert.identity == alert.identity)).one()
    assert (same.id, same.state, same.condition_active) == (alert.id, "resolved", True)
