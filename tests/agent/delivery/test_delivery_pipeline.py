"""The delivery pipeline on the demo book, through a real (recording) notifier plugin."""

from __future__ import annotations

import threading
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.alerts.silences import create_silence
from agent.alerts.tables import Alert, OutboxMessage
from agent.app import create_app
from agent.db.database import Database
from agent.delivery.run import DeliveryReport, deliver_due
from agent.profile.tables import Person
from agent.settings import Settings
from connectors.core.protocols import ActionLink, Recipient
from tests.agent.alerts.factories import load_book, person, run_cycle
from tests.agent.delivery.factories import ALL_DUE, deliver, deliveries, due_notifications, states
from tests.connectors.recorder.install import install_recorder
from tests.factories import token_for

EVERY_CHANNEL = '["email", "slack_dm", "slack_channel", "crm_task"]'


def test_one_cycle_sends_one_message_per_person_grouped_per_account(
    session: Session, database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    recorder = install_recorder(monkeypatch, tmp_path, channels=EVERY_CHANNEL)
    rows = due_notifications(session, settings)
    report = deliver(database, settings)
    sent = recorder.records()
    assert report.totals["sent"] == len(sent) > 5
    assert report.totals["failed"] == report.totals["undeliverable"] == 0
    by_recipient = defaultdict(list)
    for message in sent:
        by_recipient[(message["channel"], message["recipient"])].append(message)
    expected_accounts: defaultdict[tuple[str, str], set[int]] = defaultdict(set)
    for row in rows:
        expected_accounts[(row.channel, row.receiver)].update(a["account_id"] for a in row.payload["alerts"])
    assert set(by_recipient) == set(expected_accounts)
    for (channel, recipient), [message] in by_recipient.items():
        assert len(message["accounts"]) == len(set(message["accounts"]))  # one section per account
        assert set(message["accounts"]) == expected_accounts[(channel, recipient)]
    names = dict(session.execute(select(Person.email, Person.name)).tuples().all())
    assert {m["recipient_name"] for m in sent if m["recipient"] in names} <= set(names.values())
    # People get signed one-click links (/l/...) besides each account's page.
    pages = ("http://127.0.0.1:8000/accounts/", "http://127.0.0.1:8000/l/")
    assert all(link.startswith(pages) for m in sent for link in m["links"])
    assert states(session) == {"sent": len(sent)}
    session.expire_all()
    assert {r.status for r in session.scalars(select(OutboxMessage))} == {"sent"}


def test_running_the_cycle_again_sends_nothing_new(
    session: Session, database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    recorder = install_recorder(monkeypatch, tmp_path, channels=EVERY_CHANNEL)
    due_notifications(session, settings)
    first = deliver(database, settings)
    for later in (timedelta(hours=1, minutes=10), timedelta(hours=3)):
        assert run_cycle(session, settings, after=later).enqueued == 0
        again = deliver(database, settings)
        assert again.totals == dict.fromkeys(again.totals, 0)
    assert len(recorder.records()) == first.totals["sent"]
    assert len({m["key"] for m in recorder.records()}) == first.totals["sent"]


def test_a_failing_vendor_is_retried_with_backoff_then_failed_with_its_error_in_the_api(
    session: Session, database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    recorder = install_recorder(monkeypatch, tmp_path, fail="retryable")
    rows = due_notifications(session, settings)
    victim = rows[0].receiver
    monkeypatch.setenv("NUDGE_RECORDER_FAIL_FOR", f'["{victim}"]')
    settings = settings.model_copy(update={"delivery_max_attempts": 3})
    first = deliver(database, settings)
    assert first.totals["retrying"] == 1
    assert (
        first.totals["sent"] == len({r.receiver for r in rows if r.channel == "email"}) - 1
    )  # others not held up
    [waiting] = [d for d in deliveries(session) if d.state == "retrying"]
    assert (waiting.recipient, waiting.attempts) == (victim, 1)
    assert waiting.next_attempt_at == ALL_DUE + timedelta(seconds=30)
    assert (
        deliver(database, settings, at=ALL_DUE + timedelta(seconds=29)).totals["retrying"] == 0
    )  # not yet due
    assert deliver(database, settings, at=ALL_DUE + timedelta(seconds=30)).totals["retrying"] == 1
    last = deliver(database, settings, at=ALL_DUE + timedelta(minutes=2))
    assert last.totals["failed"] == 1
    assert last.error == "1 message(s) failed"
    assert recorder.attempts().count(waiting.key) == 3
    assert waiting.key not in {m["key"] for m in recorder.records()}

    ops = person(session, "ops")
    client = TestClient(create_app(settings=settings, database=database))
    answer = client.get(
        "/api/deliveries",
        params={"state": "failed"},
        headers={"Authorization": f"Bearer {token_for(session, ops)}"},
    )
    assert answer.status_code == 200
    [failed] = answer.json()["items"]
    assert (failed["recipient"], failed["attempts"], failed["last_error"]) == (
        victim,
        3,
        "recorder refused attempt 3: 451 try again later",
    )
    assert {alert["outbox_status"] for alert in failed["alerts"]} == {"failed"}
    assert failed["subject"]  # what would have gone out is kept
    assert failed["text"]


def test_the_vendors_retry_after_is_honoured_and_a_final_error_fails_at_once(
    session: Session, database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    install_recorder(monkeypatch, tmp_path, fail="retryable", retry_after="600")
    rows = due_notifications(session, settings)
    slow = rows[0].receiver
    monkeypatch.setenv("NUDGE_RECORDER_FAIL_FOR", f'["{slow}"]')
    deliver(database, settings)
    [waiting] = [d for d in deliveries(session) if d.recipient == slow]
    assert (waiting.state, waiting.next_attempt_at) == ("retrying", ALL_DUE + timedelta(minutes=10))

    monkeypatch.setenv("NUDGE_RECORDER_FAIL", "fatal")
    report = deliver(database, settings, at=ALL_DUE + timedelta(minutes=10))
    assert report.totals["failed"] == 1
    [failed] = [d for d in deliveries(session) if d.recipient == slow]
    assert (failed.state, failed.attempts, failed.last_error) == (
        "failed",
        2,
        "recorder refused: 550 no such mailbox",
    )


def test_a_silence_created_after_enqueue_mutes_the_message(
    session: Session, database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    recorder = install_recorder(monkeypatch, tmp_path)
    rows = due_notifications(session, settings)
    quiet = next(r.receiver for r in rows if r.channel == "email")
    silence = create_silence(
        session=session,
        matchers=[f"owner={quiet}"],
        creator="ops@nudge.example",
        reason="on leave",
        starts_at=ALL_DUE - timedelta(hours=1),
        ends_at=ALL_DUE + timedelta(days=7),
    )
    session.commit()
    report = deliver(database, settings)
    assert report.totals["muted"] >= 1
    [muted] = [d for d in deliveries(session) if d.recipient == quiet]
    assert (muted.state, muted.silence_ids) == ("muted", [silence.id])
    assert muted.last_error is not None
    assert muted.last_error.startswith(f"silenced by silence {silence.id} (on leave)")
    assert quiet not in {m["recipient"] for m in recorder.records()}
    assert {
        r.status for r in session.scalars(select(OutboxMessage).where(OutboxMessage.receiver == quiet))
    } == {"muted"}


def test_a_person_without_an_address_is_reported_undeliverable_not_skipped(
    session: Session, database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    recorder = install_recorder(monkeypatch, tmp_path)
    load_book(session)
    run_cycle(session, settings)
    owner = session.scalars(select(Person).where(Person.role == "csm").order_by(Person.id)).first()
    assert owner is not None
    owner.email = "sam.rivera"  # a CRM user synced without an e-mail address
    session.commit()
    run_cycle(session, settings, after=timedelta(hours=1))
    report = deliver(database, settings)
    reason = "this person has no e-mail address ('sam.rivera')"
    assert report.totals["undeliverable"] >= 1
    [stuck] = [d for d in deliveries(session) if d.recipient == "sam.rivera"]
    assert (stuck.state, stuck.last_error) == ("undeliverable", reason)
    assert "sam.rivera" not in {m["recipient"] for m in recorder.records()}

    ops = person(session, "ops")
    client = TestClient(create_app(settings=settings, database=database))
    client.get(f"/login?token={token_for(session, ops)}")
    page = client.get("/deliveries", params={"state": "undeliverable"})
    assert page.status_code == 200
    assert reason.replace("'", "&#39;") in page.text
    assert 'href="/deliveries"' in page.text


@pytest.mark.parametrize("workers", [2])
def test_concurrent_workers_never_send_the_same_message(
    session: Session,
    database: Database,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    workers: int,
) -> None:
    recorder = install_recorder(monkeypatch, tmp_path, channels=EVERY_CHANNEL, delay_seconds="0.02")
    due_notifications(session, settings)
    reports: list[DeliveryReport] = []
    start = threading.Barrier(workers)

    def work() -> None:
        start.wait()
        reports.append(deliver(database, settings))

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    keys = [m["key"] for m in recorder.records()]
    assert len(keys) == len(set(keys)) == len(deliveries(session))
    assert sorted(recorder.attempts()) == sorted(keys)  # no message was even tried twice
    assert sum(r.totals["sent"] for r in reports) == len(keys)
    if database.backend == "sqlite":  # one worker at a time: the other found the lock taken or nothing due
        assert {r.status for r in reports} <= {"ok", "skipped_locked"}


def test_quiet_hours_are_checked_again_at_send_time(
    session: Session, database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    recorder = install_recorder(monkeypatch, tmp_path)
    due_notifications(session, settings)
    night_in_europe = ALL_DUE + timedelta(hours=8)  # 01:00 UTC
    report = deliver(database, settings, at=night_in_europe)
    assert report.totals["deferred"] > 0
    zones = dict(session.execute(select(Person.email, Person.time_zone)).tuples().all())
    waiting = [d for d in deliveries(session) if d.state == "queued"]
    assert len(waiting) == report.totals["deferred"]
    for delivery in waiting:
        local = delivery.next_attempt_at.astimezone(ZoneInfo(zones[delivery.recipient]))
        assert (local.hour, local.minute) == (8, 0)  # the end of the routing's quiet hours
    assert {m["recipient"] for m in recorder.records()}.isdisjoint(d.recipient for d in waiting)


def test_a_message_whose_worker_died_on_its_last_attempt_fails_instead_of_looping(
    session: Session, database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    recorder = install_recorder(monkeypatch, tmp_path, fail="retryable")
    due_notifications(session, settings)
    deliver(database, settings)
    stuck = deliveries(session)[0]
    stuck.state, stuck.attempts, stuck.claimed_by = "sending", settings.delivery_max_attempts, "gone:1:dead"
    stuck.next_attempt_at = ALL_DUE
    session.commit()
    report = deliver(database, settings, at=ALL_DUE + timedelta(seconds=1))
    assert report.totals["failed"] == 1
    [failed] = [d for d in deliveries(session) if d.id == stuck.id]
    assert (failed.state, failed.last_error) == ("failed", "its worker stopped during attempt 5")
    assert recorder.attempts().count(failed.key) == 1  # the failing first attempt only


def test_a_channel_plugs_its_own_action_links_into_every_alert_line(
    session: Session, database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    recorder = install_recorder(monkeypatch, tmp_path)
    due_notifications(session, settings)

    def signed(alert: Alert, recipient: Recipient) -> tuple[ActionLink, ...]:
        url = f"https://nudge.acme.test/a/{alert.id}/acknowledge?for={recipient.address}"
        return (ActionLink(action="acknowledge", label="Acknowledge", url=url),)

    deliver_due(database=database, settings=settings, links=signed, clock=lambda: ALL_DUE)
    sent = recorder.records()
    assert sent
    for message in sent:
        assert message["links"] == [
            f"https://nudge.acme.test/a/{alert_id}/acknowledge?for={message['recipient']}"
            for alert_id in message["alert_ids"]
        ]
