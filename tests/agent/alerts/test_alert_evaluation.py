"""The cycle's rules step on a realistic book, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.alerts.silences import create_silence
from agent.alerts.tables import Alert, AlertEvent, OutboxMessage
from agent.profile.tables import Account, Invoice, Person
from agent.rulesets.service import pack_texts
from agent.settings import Settings
from tests.agent.alerts.factories import (
    CYCLE_START,
    firing_invoice_alert,
    load_book,
    outbox_size,
    owner_of,
    pay_in_full,
    run_cycle,
)
from tests.connectors.recorder.install import install_recorder


def test_rerunning_on_unchanged_data_opens_nothing_and_enqueues_nothing(
    session: Session, settings: Settings
) -> None:
    load_book(session)
    first = run_cycle(session, settings)
    assert first.opened >= 20
    assert first.enqueued == 0
    second = run_cycle(session, settings, after=timedelta(hours=1))
    assert second.opened == 0
    assert second.enqueued > 0
    sent = outbox_size(session)
    for later in (timedelta(hours=1), timedelta(hours=1, minutes=10), timedelta(hours=3)):
        again = run_cycle(session, settings, after=later)
        assert again.as_dict() | {"rules_version": 0} == dict.fromkeys(again.as_dict(), 0)
    assert outbox_size(session) == sent
    opened_events = session.scalars(select(AlertEvent).where(AlertEvent.kind == "opened")).all()
    assert len(opened_events) == first.opened
    assert {event.actor for event in opened_events} == {"nudge"}


def test_paying_an_invoice_resolves_its_alerts_in_the_next_evaluation(
    session: Session, settings: Settings
) -> None:
    load_book(session)
    run_cycle(session, settings)
    target = firing_invoice_alert(session)
    siblings = {a.id for a in session.scalars(select(Alert).where(Alert.invoice_id == target.invoice_id))}
    assert target.invoice_id is not None
    pay_in_full(session, target.invoice_id)
    counts = run_cycle(session, settings, after=timedelta(hours=1))
    session.expire_all()
    resolved = session.scalars(select(Alert).where(Alert.invoice_id == target.invoice_id)).all()
    assert {a.id for a in resolved} == siblings
    assert counts.resolved >= len(siblings)
    assert {(a.state, a.resolution) for a in resolved} == {("resolved", "paid")}
    assert all(a.resolved_at == CYCLE_START + timedelta(hours=1) for a in resolved)
    event = session.scalars(
        select(AlertEvent).where(AlertEvent.alert_id == target.id).order_by(AlertEvent.id)
    ).all()[-1]
    assert (event.kind, event.actor, event.from_state, event.to_state) == (
        "resolved",
        "nudge",
        "firing",
        "resolved",
    )
    assert event.detail == {"reason": "paid"}
    elsewhere = session.scalars(
        select(Alert).where(Alert.resolution == "paid", Alert.invoice_id != target.invoice_id)
    )
    assert elsewhere.all() == []


def test_outbox_rows_name_the_owner_the_channel_and_the_alerts(
    session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    install_recorder(monkeypatch, tmp_path, channels='["email", "slack_dm"]')
    load_book(session)
    run_cycle(session, settings)
    run_cycle(session, settings, after=timedelta(hours=1))
    rows = session.scalars(select(OutboxMessage)).all()
    owners = {
        str(account_id): email
        for account_id, email in session.execute(
            select(Account.id, Person.email).join(Person, Person.id == Account.owner_id)
        )
    }
    slack_people = set(session.scalars(select(Person.email).where(Person.slack_id.is_not(None))))
    crm = [r for r in rows if r.channel == "crm_task"]
    assert crm, "renewals with overdue invoices become CRM tasks"
    assert {(r.status, r.last_error) for r in crm} == {
        ("undeliverable", "no notifier is configured for the crm_task channel")
    }
    assert Counter(r.status for r in rows if r.channel != "crm_task") == {"pending": len(rows) - len(crm)}
    assert len({r.dedup_key for r in rows}) == len(rows)
    direct = [r for r in rows if r.payload["receiver"] == "account-owner"]
    assert direct, "account owners should be told"
    for row in direct:
        account = dict(row.payload["group"][3])["account"]
        assert row.receiver == owners[account] == row.payload["person"]
        assert row.channel == ("slack_dm" if row.receiver in slack_people else "email")
        assert {a["account_id"] for a in row.payload["alerts"]} == {int(account)}
        assert row.alert_id == row.payload["alerts"][0]["id"]
    assert {r.channel for r in rows} <= {"slack_dm", "email", "slack_channel", "crm_task"}
    deferred = [r for r in rows if r.payload["delivery"] == "deferred"]
    assert all(r.next_attempt_at > CYCLE_START + timedelta(hours=1) for r in deferred)


def test_a_silence_keeps_an_account_quiet(session: Session, settings: Settings) -> None:
    load_book(session)
    run_cycle(session, settings)
    loud = session.scalars(select(Alert.account_id).where(Alert.state == "firing")).first()
    create_silence(
        session=session,
        matchers=[f"account={loud}"],
        creator="ops@nudge.example",
        reason="customer in a payment plan",
        starts_at=CYCLE_START,
        ends_at=CYCLE_START + timedelta(days=7),
    )
    session.commit()
    run_cycle(session, settings, after=timedelta(hours=1))
    told = {a["account_id"] for r in session.scalars(select(OutboxMessage)) for a in r.payload["alerts"]}
    assert told
    assert loud not in told


def test_messages_name_the_invoice_by_its_number_not_its_row_id(session: Session, settings: Settings) -> None:
    load_book(session)
    run_cycle(session, settings)
    texts = pack_texts()
    numbered = [
        (alert.message, session.get_one(Invoice, alert.invoice_id).number)
        for alert in session.scalars(select(Alert).where(Alert.invoice_id.is_not(None)))
        if "invoice.number" in texts[f"{alert.rule}.yaml"]
    ]
    assert numbered
    assert all(f"invoice {number}" in message for message, number in numbered)


def test_unacknowledged_high_alerts_escalate_once_to_the_owners_manager(
    session: Session, settings: Settings
) -> None:
    load_book(session)
    run_cycle(session, settings)
    run_cycle(session, settings, after=timedelta(hours=1))
    firing = session.scalars(select(Alert).where(Alert.state == "firing")).all()
    broken_promises = {a.account_id for a in firing if a.rule == "broken-promise"}
    # routing.yaml inhibits overdue-high-value while the account's broken-promise alert fires
    inhibited = {a.id for a in firing if a.rule == "overdue-high-value" and a.account_id in broken_promises}
    expected = set()
    for alert in firing:
        manager = owner_of(session, alert).manager
        assert manager is not None  # every demo CSM reports to a manager in the people table
        if alert.severity in ("high", "critical") and alert.id not in inhibited:
            expected.add((alert.id, manager.email))
    assert expected
    assert inhibited
    run_cycle(session, settings, after=timedelta(days=1, hours=2))
    run_cycle(session, settings, after=timedelta(days=1, hours=3))
    escalations = [
        r for r in session.scalars(select(OutboxMessage)) if r.payload.get("reason") == "escalation"
    ]
    told = [(r.payload["alerts"][0]["id"], r.receiver) for r in escalations]
    assert sorted(told) == sorted(expected)


def test_the_creator_is_reminded_once_before_a_silence_ends(
    session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    install_recorder(monkeypatch, tmp_path, channels='["email", "slack_dm"]')
    load_book(session)
    ops = session.scalars(select(Person).where(Person.role == "ops")).one()
    silence = create_silence(
        session=session,
        matchers=["rule=dso-worsening"],
        creator=ops.email,
        reason="month-end close",
        starts_at=CYCLE_START - timedelta(days=2),
        ends_at=CYCLE_START + timedelta(hours=30),
    )
    session.commit()
    assert run_cycle(session, settings).reminders == 0
    assert run_cycle(session, settings, after=timedelta(hours=8)).reminders == 1
    assert run_cycle(session, settings, after=timedelta(hours=9)).reminders == 0
    reminder = session.scalars(
        select(OutboxMessage).where(OutboxMessage.dedup_key.like("silence-expiring:%"))
    ).one()
    assert (reminder.receiver, reminder.channel) == (ops.email, "slack_dm")
    assert reminder.payload["silence_id"] == silence.id
    assert reminder.payload["matchers"] == ["rule=dso-worsening"]
