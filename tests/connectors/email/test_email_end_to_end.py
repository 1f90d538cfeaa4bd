"""E-mail end to end: the cycle's notifications through the delivery pipeline into a real
SMTP server (aiosmtpd), their links back into Nudge, and failures, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.alerts.tables import Alert, AlertEvent, OutboxMessage
from agent.app import create_app
from agent.db.database import Database
from agent.db.types import utcnow
from agent.delivery.run import deliver_due
from agent.delivery.tables import Delivery
from agent.links.service import ActionLinks, inspect
from agent.profile.tables import Account
from agent.settings import Settings
from connectors.email.emulator import ReceivedMail, SmtpSink
from connectors.email.notifier import message_id
from tests.agent.alerts.factories import person, run_cycle
from tests.agent.delivery.factories import (
    ALL_DUE,
    deliver,
    deliveries,
    due_by_the_wall_clock,
    due_notifications,
)
from tests.conftest import BOOK_DATE
from tests.factories import token_for

SENDER = "Nudge <nudge@nudge.example>"
SAME_ORIGIN = {"Origin": "http://testserver"}


@pytest.fixture
def sink(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpSink]:
    """A local SMTP server, configured as Nudge's relay through the environment."""
    with SmtpSink() as running:
        monkeypatch.setenv("NUDGE_SMTP_URL", running.url)
        monkeypatch.setenv("NUDGE_EMAIL_FROM", SENDER)
        yield running


def emails(session: Session) -> list[Delivery]:
    return [delivery for delivery in deliveries(session) if delivery.channel == "email"]


def text_of(mail: ReceivedMail) -> str:
    part = mail.message.get_body(("plain",))
    assert part is not None
    return part.get_content().replace("\r\n", "\n")


def link_path(mail: ReceivedMail, label: str, settings: Settings) -> str:
    found = re.search(rf"^  {label}: (\S+)$", text_of(mail), re.MULTILINE)
    assert found is not None, f"no {label} link in the e-mail"
    return found.group(1).removeprefix(settings.base_url)


def test_one_cycle_sends_one_digest_per_person_grouped_per_account_and_again_nothing(
    session: Session, database: Database, settings: Settings, sink: SmtpSink
) -> None:
    due_notifications(session, settings)
    deliver(database, settings)
    sent = emails(session)
    assert sent
    assert {d.state for d in sent} == {"sent"}
    assert set(Counter(d.recipient for d in sent).values()) == {1}

    received = sink.wait_for(len(sent))
    assert sorted(mail.recipients[0] for mail in received) == sorted(d.recipient for d in sent)
    assert {mail.message_id for mail in received} == {message_id(d.key, SENDER) for d in sent}
    by_id = {message_id(d.key, SENDER): d for d in sent}
    for mail in received:
        delivery = by_id[mail.message_id]
        text = text_of(mail)
        names = set(
            session.scalars(
                select(Account.name)
                .join(Alert, Alert.account_id == Account.id)
                .where(Alert.id.in_(delivery.alert_ids))
            )
        )
        for name in names:  # one section per account, under its name
            assert text.count(f"\n{name}\n{'-' * len(name)}\n") == 1
        assert text.count("\n* [") == len(delivery.alert_ids)
        assert mail.message["Subject"] == delivery.subject

    run_cycle(session, settings, after=timedelta(hours=1, minutes=10))
    deliver(database, settings)
    assert len(sink.received) == len(received)


def test_a_link_from_the_email_acknowledges_the_alert_once_as_its_recipient(
    session: Session, database: Database, settings: Settings, sink: SmtpSink
) -> None:
    due_notifications(session, settings)
    deliver(database, settings)
    mail = sink.wait_for(1)[0]
    recipient = mail.recipients[0]
    path = link_path(mail, "Acknowledge", settings)
    alert_id = inspect(
        session=session, settings=settings, token=path.removeprefix("/l/"), now=utcnow()
    ).alert.id
    client = TestClient(create_app(settings=settings, database=database))

    assert client.get(path).status_code == 200  # a mail scanner's prefetch changes nothing
    assert session.get_one(Alert, alert_id).state == "firing"
    done = client.post(path, headers=SAME_ORIGIN)
    assert done.status_code == 200
    assert "Done: the alert is acknowledged" in done.text
    session.expire_all()
    assert session.get_one(Alert, alert_id).state == "acknowledged"
    last = session.scalars(
        select(AlertEvent).where(AlertEvent.alert_id == alert_id).order_by(AlertEvent.id)
    ).all()[-1]
    assert (last.kind, last.actor, last.channel) == ("acknowledge", recipient, "email")

    reused = client.post(path, headers=SAME_ORIGIN)
    assert reused.status_code == 410
    assert "This link was already used" in reused.text
    tampered = path.replace("/l/eyJhIjo", "/l/eyJhIjx", 1)
    assert client.post(tampered, headers=SAME_ORIGIN).status_code == 400
    snooze = link_path(mail, "Snooze 3 days", settings)
    assert client.post(snooze[:-4] + snooze[-4:][::-1], headers=SAME_ORIGIN).status_code == 400


def test_an_expired_link_from_the_email_is_refused(
    session: Session, database: Database, settings: Settings, sink: SmtpSink
) -> None:
    due_notifications(session, settings)
    made = utcnow() - timedelta(hours=settings.link_ttl_hours, minutes=1)
    deliver_due(
        database=database,
        settings=settings,
        links=ActionLinks.from_settings(settings, now=made).links,
        clock=lambda: ALL_DUE,
    )
    path = link_path(sink.wait_for(1)[0], "Acknowledge", settings)
    refused = TestClient(create_app(settings=settings, database=database)).post(path, headers=SAME_ORIGIN)
    assert refused.status_code == 410
    assert "This link has expired" in refused.text


def drain_until_settled(database: Database, settings: Settings, session: Session) -> int:
    """Deliver at each retry's due time until nothing is left to try; return the drains."""
    at, drains = ALL_DUE, 0
    while True:
        deliver(database, settings, at)
        drains += 1
        waiting = [d.next_attempt_at for d in emails(session) if d.state == "retrying"]
        if not waiting:
            return drains
        at = max(waiting)


def test_a_server_refusing_connections_is_retried_then_failed_and_visible(
    session: Session, database: Database, settings: Settings, sink: SmtpSink
) -> None:
    settings = settings.model_copy(update={"delivery_max_attempts": 3})
    due_notifications(session, settings)
    sink.stop()
    assert drain_until_settled(database, settings, session) == 3
    failed = emails(session)
    assert {(d.state, d.attempts) for d in failed} == {("failed", 3)}
    assert {d.last_error for d in failed} == {
        f"cannot reach the SMTP server 127.0.0.1:{sink.port}: [Errno 111] Connection refused"
    }
    assert all(d.subject and d.text and d.html for d in failed)  # what would have gone out is kept
    ops = person(session, "ops")
    answer = TestClient(create_app(settings=settings, database=database)).get(
        "/api/deliveries",
        params={"state": "failed", "channel": "email"},
        headers={"Authorization": f"Bearer {token_for(session, ops)}"},
    )
    assert {item["recipient"] for item in answer.json()["items"]} == {d.recipient for d in failed}
    assert sink.received == []


@pytest.mark.parametrize("reply", ["451 4.7.1 Greylisted, try again later", "554 5.7.1 Message refused"])
def test_4xx_and_5xx_replies_are_retried_and_the_message_goes_once(
    session: Session, database: Database, settings: Settings, sink: SmtpSink, reply: str
) -> None:
    due_notifications(session, settings)
    people = len({row.receiver for row in session.scalars(select(OutboxMessage)) if row.channel == "email"})
    sink.faults.reply_next(reply, count=people)  # every first attempt is refused
    deliver(database, settings)
    waiting = emails(session)
    assert {(d.state, d.attempts) for d in waiting} == {("retrying", 1)}
    assert {d.last_error for d in waiting} == {f"SMTP {reply[:3]} at DATA: {reply[4:]}"}

    deliver(database, settings, max(d.next_attempt_at for d in waiting))
    sent = emails(session)
    assert {(d.state, d.attempts) for d in sent} == {("sent", 2)}
    assert sorted(mail.message_id for mail in sink.wait_for(people)) == sorted(
        message_id(d.key, SENDER) for d in sent
    )


def test_5xx_until_the_last_attempt_ends_failed_with_the_servers_reply(
    session: Session, database: Database, settings: Settings, sink: SmtpSink
) -> None:
    settings = settings.model_copy(update={"delivery_max_attempts": 2})
    due_notifications(session, settings)
    sink.faults.reply_next("554 5.7.1 Message refused", count=1_000)
    assert drain_until_settled(database, settings, session) == 2
    assert {(d.state, d.last_error) for d in emails(session)} == {
        ("failed", "SMTP 554 at DATA: 5.7.1 Message refused")
    }
    assert sink.received == []


def test_deliver_killed_mid_batch_then_run_again_sends_every_message_exactly_once(
    session: Session, database: Database, settings: Settings, sink: SmtpSink
) -> None:
    due_by_the_wall_clock(session, settings)
    command = [sys.executable, "-m", "agent.cli.main", "deliver", "--json"]
    env = {
        **os.environ,
        "NUDGE_DATABASE_URL": settings.resolved_database_url,
        "NUDGE_HOME": str(settings.home),
        "NUDGE_AS_OF": BOOK_DATE.isoformat(),
    }
    sink.faults.hold_after = 2  # the third message waits for its reply: kill the sender then
    killed = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    while not sink.faults.holding.wait(0.1):
        assert killed.poll() is None, killed.communicate()
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    sink.faults.release.set()
    assert len(sink.received) == 2
    assert len([d for d in emails(session) if d.state != "sent"]) >= 2  # the kill landed mid-batch

    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["status"] == "ok"
    sent = emails(session)
    assert {d.state for d in sent} == {"sent"}
    received = Counter(mail.message_id for mail in sink.received)
    assert received == Counter(message_id(d.key, SENDER) for d in sent)  # each exactly once
