"""People act on alerts through the API: every change recorded, scoped to the accounts they see."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent.alerts.tables import Alert, AlertEvent
from agent.app import create_app
from agent.audit.tables import AuditEntry
from agent.db.database import Database
from agent.db.types import plain_amount, utcnow
from agent.profile.tables import Dispute, Invoice, PaymentPromise
from agent.settings import Settings
from tests.agent.alerts.factories import (
    CYCLE_START,
    firing_invoice_alert,
    load_book,
    open_account_alert,
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
    assert (body["state"], body["allowed_actions"]) == (
        "acknowledged",
        ["snooze", "promise", "dispute", "close"],
    )
    assert [(e["kind"], e["actor"], e["channel"]) for e in body["events"]] == [
        ("opened", "nudge", None),
        ("acknowledge", owner.email, "api"),
    ]
    session.expire_all()
    assert session.get_one(Alert, alert.id).state == "acknowledged"
    audit = session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "alert")).one()
    assert (audit.actor, audit.action, audit.entity_id, audit.detail["channel"]) == (
        owner.email,
        "alert.acknowledge",
        str(alert.id),
        "api",
    )
    # A repeated click changes nothing: same answer, no second event.
    again = client.post(f"/api/alerts/{alert.id}/acknowledge", headers=auth(token_for(session, owner)))
    assert again.status_code == 200
    assert again.json()["events"] == body["events"]


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
        f"/api/alerts/{alert.id}/promise",
        headers=auth(token_for(session, owner)),
        json={"promised_date": promised.isoformat(), "amount": "1.50", "note": "by wire"},
    )
    assert answer.status_code == 201, answer.text
    promise = session.get_one(PaymentPromise, answer.json()["id"])
    assert (
        promise.invoice_id,
        promise.promised_date,
        promise.amount,
        promise.note,
        promise.created_by_id,
    ) == (
        alert.invoice_id,
        promised,
        Decimal("1.50"),
        "by wire",
        owner.id,
    )
    shown = client.get(f"/api/alerts/{alert.id}", headers=auth(token_for(session, owner))).json()
    assert (shown["state"], shown["snoozed_until"]) == ("snoozed", promised.isoformat())
    event = session.scalars(select(AlertEvent).where(AlertEvent.kind == "promise")).one()
    assert (event.channel, event.detail) == (
        "api",
        {
            "until": promised.isoformat(),
            "reason": "promise to pay",
            "promise_id": promise.id,
            "amount": "1.50",
        },
    )
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


def test_a_promise_is_refused_with_the_reason(client: TestClient, session: Session) -> None:
    alert = firing_invoice_alert(session)
    token = token_for(session, owner_of(session, alert))
    invoice = session.get_one(Invoice, alert.invoice_id)
    still_open = plain_amount(invoice.amount - invoice.amount_paid)
    later = (utcnow().date() + timedelta(days=5)).isoformat()
    promises_before = session.scalar(select(func.count(PaymentPromise.id)))
    too_much = client.post(
        f"/api/alerts/{alert.id}/promise",
        headers=auth(token),
        json={"promised_date": later, "amount": str(still_open + 1)},
    )
    assert too_much.status_code == 409
    assert too_much.json()["detail"] == (
        f"the promised amount {still_open + 1} is more than the {still_open} {invoice.currency} "
        f"still open on invoice {invoice.number}"
    )
    past = client.post(
        f"/api/alerts/{alert.id}/promise", headers=auth(token), json={"promised_date": "2020-01-01"}
    )
    assert past.status_code == 409
    assert (
        past.json()["detail"]
        == f"a promise to pay needs a date after today ({utcnow().date()}), not 2020-01-01"
    )
    negative = client.post(
        f"/api/alerts/{alert.id}/promise", headers=auth(token), json={"promised_date": later, "amount": "-1"}
    )
    assert negative.status_code == 422
    account_alert = open_account_alert(session)
    whole_account = client.post(
        f"/api/alerts/{account_alert.id}/promise",
        headers=auth(token_for(session, owner_of(session, account_alert))),
        json={"promised_date": later},
    )
    assert whole_account.status_code == 409
    assert (
        whole_account.json()["detail"]
        == "this alert is about the whole account: a promise to pay needs an invoice"
    )
    assert session.scalar(select(func.count(PaymentPromise.id))) == promises_before


def test_snoozing_until_a_day_or_for_some_days(client: TestClient, session: Session) -> None:
    alert = firing_invoice_alert(session)
    token = token_for(session, owner_of(session, alert))
    past = client.post(f"/api/alerts/{alert.id}/snooze", headers=auth(token), json={"until": "2020-01-01"})
    assert past.status_code == 409
    assert past.json()["detail"] == "a snooze needs an end date after today"
    both = client.post(
        f"/api/alerts/{alert.id}/snooze", headers=auth(token), json={"until": "2099-01-01", "days": 3}
    )
    assert both.status_code == 422
    # The promise moved to its own route: the old form is refused, not half-understood.
    old = client.post(
        f"/api/alerts/{alert.id}/snooze", headers=auth(token), json={"promise_date": "2099-01-01"}
    )
    assert old.status_code == 422
    three_days = client.post(
        f"/api/alerts/{alert.id}/snooze", headers=auth(token), json={"days": 3, "note": "on holiday"}
    )
    assert three_days.status_code == 200, three_days.text
    body = three_days.json()
    assert (body["state"], body["snoozed_until"], body["snooze_reason"]) == (
        "snoozed",
        (utcnow().date() + timedelta(days=3)).isoformat(),
        "on holiday",
    )


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
    repeated = client.post(f"/api/alerts/{alert.id}/dispute", headers=auth(token), json={"reason": "pricing"})
    assert (repeated.status_code, repeated.json()["id"]) == (201, dispute["id"])
    other = client.post(f"/api/alerts/{alert.id}/dispute", headers=auth(token), json={"reason": "quality"})
    assert other.status_code == 409
    number = session.get_one(Invoice, alert.invoice_id).number
    assert (
        other.json()["detail"] == f"invoice {number} is already disputed (pricing, dispute {dispute['id']})"
    )
    resolved = client.post(
        f"/api/disputes/{dispute['id']}/resolve", headers=auth(token), json={"note": "credit note"}
    )
    assert resolved.json()["status"] == "resolved"
    assert client.post(f"/api/disputes/{dispute['id']}/resolve", headers=auth(token)).status_code == 422
    session.expire_all()
    assert session.get_one(Dispute, dispute["id"]).resolved_at is not None
    events = client.get(f"/api/alerts/{alert.id}", headers=auth(token)).json()["events"]
    assert [(e["kind"], e["channel"]) for e in events] == [("opened", None), ("dispute", "api")]


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
    assert [s["id"] for s in client.get("/api/silences", headers=auth(ops)).json()] == [created.json()["id"]]
    assert client.delete(f"/api/silences/{created.json()['id']}", headers=auth(ops)).status_code == 204
    assert client.get("/api/silences", headers=auth(ops)).json() == []
    assert date.fromisoformat(created.json()["ends_at"][:10]) == date(2099, 1, 1)


def test_a_csm_cannot_list_silences_of_the_whole_book(client: TestClient, session: Session) -> None:
    ops = token_for(session, person(session, "ops"))
    body = {"matchers": ["account=Contoso"], "reason": "CFO on leave", "ends_at": "2099-01-01T00:00:00Z"}
    assert client.post("/api/silences", headers=auth(ops), json=body).status_code == 201
    for role in ("csm", "manager"):
        answer = client.get("/api/silences", headers=auth(token_for(session, person(session, role))))
        assert answer.status_code == 403
        assert answer.json() == {"detail": f"role '{role}' may not do this (needs admin or finance or ops)"}
    finance = token_for(session, person(session, "finance"))
    assert [s["reason"] for s in client.get("/api/silences", headers=auth(finance)).json()] == [
        "CFO on leave"
    ]


def test_a_closed_alert_stays_closed_while_its_condition_still_holds(
    client: TestClient, session: Session, settings: Settings
) -> None:
    alert = firing_invoice_alert(session)
    token = token_for(session, owner_of(session, alert))
    closed = client.post(
        f"/api/alerts/{alert.id}/close", headers=auth(token), json={"note": "handled by phone"}
    )
    assert (closed.json()["state"], closed.json()["resolution"], closed.json()["allowed_actions"]) == (
        "resolved",
        "closed",
        ["reopen"],
    )
    counts = run_cycle(session, settings, after=timedelta(hours=1))
    assert (counts.opened, counts.reopened) == (0, 0)
    session.expire_all()
    same = session.scalars(select(Alert).where(Alert.identity == alert.identity)).one()
    assert (same.id, same.state, same.condition_active) == (alert.id, "resolved", True)


def test_a_closed_alert_can_be_reopened_once(client: TestClient, session: Session) -> None:
    alert = firing_invoice_alert(session)
    owner = owner_of(session, alert)
    token = token_for(session, owner)
    refused = client.post(f"/api/alerts/{alert.id}/reopen", headers=auth(token))
    assert (refused.status_code, refused.json()) == (
        200,
        client.get(f"/api/alerts/{alert.id}", headers=auth(token)).json(),
    )
    client.post(f"/api/alerts/{alert.id}/close", headers=auth(token))
    reopened = client.post(
        f"/api/alerts/{alert.id}/reopen", headers=auth(token), json={"note": "closed by mistake"}
    )
    assert reopened.status_code == 200, reopened.text
    assert (reopened.json()["state"], reopened.json()["resolution"]) == ("firing", None)
    assert [
        (e["kind"], e["actor"], e["channel"], e["detail"]["reason"]) for e in reopened.json()["events"][1:]
    ] == [
        ("close", owner.email, "api", None),
        ("reopen", owner.email, "api", "closed by mistake"),
    ]
    acknowledged = client.post(f"/api/alerts/{alert.id}/acknowledge", headers=auth(token))
    assert acknowledged.status_code == 200
    wrong = client.post(f"/api/alerts/{alert.id}/reopen", headers=auth(token))
    assert (wrong.status_code, wrong.json()) == (
        409,
        {"detail": "cannot reopen an alert that is acknowledged"},
    )
