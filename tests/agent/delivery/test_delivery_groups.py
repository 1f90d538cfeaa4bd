"""On a channel whose notifier edits its messages, due rows are batched per account group,
rows held for the morning digest into one digest, and a message for new alerts of a group
edits the group's last message and shows its alerts too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from agent.alerts.tables import Alert, AlertEvent, OutboxMessage
from agent.delivery.claim import batch_due_rows
from agent.delivery.compose import Composer
from agent.delivery.links import open_in_nudge
from agent.delivery.refresh import enqueue_updates
from agent.profile.tables import Account, Person
from tests.conftest import BOOK_DATE
from tests.factories import make_account, make_person

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)


def alert(session: Session, account: Account, rule: str) -> Alert:
    row = Alert(
        identity=f"{rule}|{account.id}|",
        rule=rule,
        account_id=account.id,
        severity="high",
        message=f"{rule} on {account.name}",
        labels={"account": str(account.id)},
    )
    session.add(row)
    session.flush()
    return row


def row(
    key: str, person: Person, alerts: list[Alert], *, delivery: str = "now", reason: str = "first"
) -> OutboxMessage:
    held = delivery == "digest"
    payload = {
        "kind": "alerts",
        "recipient_kind": "person",
        "person": person.email,
        "reason": reason,
        "delivery": delivery,
        "send_at": NOW.isoformat(),
        "alerts": [{"id": a.id, "account_id": a.account_id} for a in alerts],
    }
    return OutboxMessage(
        dedup_key=key,
        receiver=person.email,
        channel="slack_dm",
        payload=payload,
        status="pending",
        next_attempt_at=NOW + timedelta(hours=23) if held else NOW,
    )


def test_rows_batch_per_account_and_held_rows_into_one_digest_of_the_day(session: Session) -> None:
    maya = make_person(session, "maya@acme.test", slack_id="U0MAYA0001")
    northwind, contoso, initech = (
        make_account(session, name, maya) for name in ("Northwind", "Contoso", "Initech")
    )
    a, b, c, d = (
        alert(session, northwind, "r1"),
        alert(session, northwind, "r2"),
        alert(session, contoso, "r1"),
        alert(session, initech, "r1"),
    )
    session.add_all(
        [
            row("1", maya, [a]),
            row("2", maya, [b]),
            row("3", maya, [c]),
            row("4", maya, [d], delivery="digest"),
        ]
    )
    session.flush()
    now_made = batch_due_rows(session=session, now=NOW, per_account={"slack_dm"})
    assert {(m.group_key, tuple(m.alert_ids)) for m in now_made} == {
        (f"account:{contoso.id}", (c.id,)),
        (f"account:{northwind.id}", (a.id, b.id)),
    }
    morning = batch_due_rows(session=session, now=NOW + timedelta(days=1), per_account={"slack_dm"})
    assert [(m.group_key, m.kind, m.alert_ids) for m in morning] == [("digest:2026-11-21", "digest", [d.id])]


def test_without_per_account_a_recipient_gets_one_message(session: Session) -> None:
    maya = make_person(session, "maya@acme.test", slack_id="U0MAYA0001")
    northwind, contoso = make_account(session, "Northwind", maya), make_account(session, "Contoso", maya)
    session.add_all(
        [row("1", maya, [alert(session, northwind, "r1")]), row("2", maya, [alert(session, contoso, "r1")])]
    )
    session.flush()
    [made] = batch_due_rows(session=session, now=NOW)
    assert made.group_key is None


def test_new_alerts_of_a_group_edit_its_last_message_and_keep_its_alerts(session: Session) -> None:
    maya = make_person(session, "maya@acme.test", slack_id="U0MAYA0001")
    northwind = make_account(session, "Northwind", maya)
    first, second = alert(session, northwind, "r1"), alert(session, northwind, "r2")
    session.add(row("1", maya, [first]))
    session.flush()
    [sent] = batch_due_rows(session=session, now=NOW, per_account={"slack_dm"})
    sent.state, sent.vendor_ref = "sent", "D0MAYA:1700000000.000100"
    session.add_all(
        [row("2", maya, [second], reason="new_alerts"), row("3", maya, [second], reason="repeat")]
    )
    session.flush()
    later = NOW + timedelta(hours=2)
    composer = Composer(
        session=session,
        base_url="https://nudge.test",
        links=open_in_nudge("https://nudge.test"),
        today=BOOK_DATE,
    )
    session.query(OutboxMessage).filter(OutboxMessage.dedup_key == "3").update(
        {"next_attempt_at": later + timedelta(days=1)}
    )
    [edit] = batch_due_rows(session=session, now=later, per_account={"slack_dm"})
    rows = session.query(OutboxMessage).filter(OutboxMessage.delivery_id == edit.id).all()
    message = composer.compose(edit, rows, [second.id])
    assert message.previous_ref == "D0MAYA:1700000000.000100"
    assert [line.alert_id for line in message.sections[0].alerts] == [first.id, second.id]
    edit.state, edit.vendor_ref = "sent", message.previous_ref
    [repeat] = batch_due_rows(session=session, now=later + timedelta(days=1), per_account={"slack_dm"})
    repeat_rows = session.query(OutboxMessage).filter(OutboxMessage.delivery_id == repeat.id).all()
    assert composer.compose(repeat, repeat_rows, [second.id]).previous_ref is None  # a repeat pings anew


def test_a_change_to_a_shown_alert_queues_one_update_of_its_groups_recent_message(session: Session) -> None:
    maya = make_person(session, "maya@acme.test", slack_id="U0MAYA0001")
    northwind, contoso = make_account(session, "Northwind", maya), make_account(session, "Contoso", maya)
    recent, old = alert(session, northwind, "r1"), alert(session, contoso, "r1")
    session.add_all([row("1", maya, [recent]), row("2", maya, [old])])
    session.flush()
    made = batch_due_rows(session=session, now=NOW, per_account={"slack_dm"})
    for message in made:
        message.state, message.vendor_ref, message.seen_event_id = "sent", f"D0:{message.id}.0", 0
        message.sent_at = NOW if message.alert_ids == [recent.id] else NOW - timedelta(days=31)
    assert enqueue_updates(session=session, now=NOW) == []  # nothing changed since
    session.add_all(
        [AlertEvent(alert_id=a.id, actor="maya@acme.test", kind="acknowledge", at=NOW) for a in (recent, old)]
    )
    session.flush()
    [update] = enqueue_updates(session=session, now=NOW)
    assert (update.kind, update.group_key, update.alert_ids) == (
        "update",
        f"account:{northwind.id}",
        [recent.id],
    )
    assert enqueue_updates(session=session, now=NOW) == []  # already queued, not twice
