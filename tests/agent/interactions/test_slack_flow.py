"""Slack end to end: the real slack-sdk against the emulator, Nudge served on a local port,
interactions signed by the emulator as Slack signs them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.alerts import service as alerts
from agent.alerts.tables import Alert, AlertEvent, OutboxMessage
from agent.auth.service import principal_for
from agent.db.database import Database
from agent.delivery.claim import message_group
from agent.delivery.tables import Delivery
from agent.profile.tables import Account, Invoice, Person
from agent.settings import Settings
from connectors.slack import facts
from tests.agent.alerts.factories import load_book, pay_in_full, run_cycle
from tests.agent.delivery.factories import deliver, deliveries
from tests.connectors.slack.workspace import Workspace, nudge_served, slack_workspace

SLACK = ("slack_dm", "slack_channel")


@pytest.fixture
def workspace(
    session: Session, database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Workspace]:
    """The demo book's notifications delivered to the emulator, Nudge listening for Slack."""
    load_book(session)
    with slack_workspace(session, monkeypatch) as workspace:
        run_cycle(session, settings)
        run_cycle(session, settings, after=timedelta(hours=1))
        assert session.scalar(select(OutboxMessage.id).where(OutboxMessage.channel == "slack_dm").limit(1))
        report = deliver(database, settings)
        assert report.totals["failed"] == 0
        with nudge_served(workspace, settings, database):
            yield workspace


def slack_deliveries(session: Session) -> list[Delivery]:
    return [d for d in deliveries(session) if d.channel in SLACK and d.state == "sent"]


def alert_message(session: Session, workspace: Workspace) -> tuple[Delivery, Alert, Person]:
    """A DM delivery with a firing invoice alert its recipient may act on."""
    for delivery in slack_deliveries(session):
        if delivery.channel != "slack_dm":
            continue
        for alert_id in delivery.alert_ids:
            alert = session.get_one(Alert, alert_id)
            person = session.scalars(select(Person).where(Person.email == delivery.recipient)).one()
            if alert.state == "firing" and alert.invoice_id is not None and _owns(session, person, alert):
                return delivery, alert, person
    raise AssertionError("the demo book should send a DM about a firing invoice alert")


def _owns(session: Session, person: Person, alert: Alert) -> bool:
    return session.get_one(Account, alert.account_id).owner_id == person.id


def shown(workspace: Workspace, delivery: Delivery) -> dict[str, Any]:
    assert delivery.vendor_ref is not None
    channel, ts = delivery.vendor_ref.split(":")
    return workspace.emulator.message(channel, ts)


def events_of(session: Session, alert_id: int) -> list[AlertEvent]:
    session.expire_all()
    return list(
        session.scalars(select(AlertEvent).where(AlertEvent.alert_id == alert_id).order_by(AlertEvent.id))
    )


def test_a_cycle_posts_one_grouped_message_per_account_and_recipient(
    session: Session, workspace: Workspace
) -> None:
    sent = slack_deliveries(session)
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.channel.in_(SLACK))).all()
    expected = {(row.channel, row.receiver, message_group(row)) for row in rows}
    assert {(d.channel, d.recipient, d.group_key) for d in sent} == expected
    assert len(workspace.emulator.posts) == len(sent) == len(set(workspace.keys()))
    assert workspace.emulator.updates == []
    digests = [d for d in sent if str(d.group_key).startswith("digest:")]
    assert all(d.kind == "digest" for d in digests)
    for delivery in sent:
        message = shown(workspace, delivery)
        headers = [b["text"]["text"] for b in message["blocks"] if b["type"] == "header"]
        accounts = session.scalars(
            select(Account.name)
            .join(Alert, Alert.account_id == Account.id)
            .where(Alert.id.in_(delivery.alert_ids))
        ).all()
        assert sorted(headers) == sorted({name[:150] for name in accounts})  # one section per account
        if delivery not in digests:
            assert delivery.group_key == f"account:{session.get_one(Alert, delivery.alert_ids[0]).account_id}"
            assert message["text"].startswith(f"Nudge — {accounts[0]}: ")
        assert message["metadata"]["event_payload"]["key"] == delivery.key
    _, alert, _ = alert_message(session, workspace)
    delivery = next(d for d in sent if alert.id in d.alert_ids)
    text = json.dumps(shown(workspace, delivery)["blocks"], ensure_ascii=False)
    invoice = session.get_one(Invoice, alert.invoice_id)
    assert f"Invoice *{invoice.number}*" in text
    assert f" {invoice.currency.upper()} · " in text
    assert "days past due" in text or "due in " in text or "due today" in text


def test_a_signed_acknowledge_acts_for_the_owner_and_edits_the_message(
    session: Session, workspace: Workspace
) -> None:
    delivery, alert, person = alert_message(session, workspace)
    assert person.slack_id is not None
    assert delivery.vendor_ref is not None
    channel, ts = delivery.vendor_ref.split(":")
    answer = workspace.emulator.click(person.slack_id, channel, ts, facts.ACKNOWLEDGE, str(alert.id))
    assert answer.status_code == 200
    assert answer.content == b""
    [event] = [e for e in events_of(session, alert.id) if e.kind == "acknowledge"]
    assert (event.actor, event.channel, event.to_state) == (person.email, "slack", "acknowledged")
    assert workspace.edited(channel, ts)
    text = json.dumps(workspace.emulator.message(channel, ts)["blocks"], ensure_ascii=False)
    assert f"Acknowledged by {person.name} in slack on " in text
    assert len(workspace.emulator.posts) == len(slack_deliveries(session)) - _updates(session)


def _updates(session: Session) -> int:
    return sum(1 for d in deliveries(session) if d.kind == "update" and d.state == "sent")


def test_a_promise_with_a_past_date_gets_the_field_error_and_a_good_one_snoozes_until_it(
    session: Session, workspace: Workspace
) -> None:
    delivery, alert, person = alert_message(session, workspace)
    assert person.slack_id is not None
    assert delivery.vendor_ref is not None
    channel, ts = delivery.vendor_ref.split(":")
    opened = workspace.emulator.click(person.slack_id, channel, ts, facts.PROMISE, str(alert.id))
    assert opened.status_code == 200
    [modal] = [v for v in workspace.emulator.views.values() if v["type"] == "modal"]
    assert modal["callback_id"] == facts.PROMISE_MODAL
    assert json.loads(modal["private_metadata"]) == {"alert_id": alert.id, "message_ref": delivery.vendor_ref}
    today = datetime.now(UTC).date()

    past = workspace.emulator.submit_view(
        person.slack_id, modal["id"], {facts.PROMISE_DATE_BLOCK: (today - timedelta(days=1)).isoformat()}
    )
    assert past.json() == {
        "response_action": "errors",
        "errors": {
            facts.PROMISE_DATE_BLOCK: f"a promise to pay needs a date after today ({today}), "
            f"not {today - timedelta(days=1)}"
        },
    }
    bad_amount = workspace.emulator.submit_view(
        person.slack_id,
        modal["id"],
        {
            facts.PROMISE_DATE_BLOCK: (today + timedelta(days=5)).isoformat(),
            facts.PROMISE_AMOUNT_BLOCK: "lots",
        },
    )
    assert bad_amount.json()["errors"] == {facts.PROMISE_AMOUNT_BLOCK: "'lots' is not an amount."}
    assert session.get_one(Alert, alert.id).state == "firing"

    promised = today + timedelta(days=5)
    good = workspace.emulator.submit_view(
        person.slack_id, modal["id"], {facts.PROMISE_DATE_BLOCK: promised.isoformat()}
    )
    assert good.status_code == 200
    assert good.content == b""
    session.expire_all()
    snoozed = session.get_one(Alert, alert.id)
    assert snoozed.state == "snoozed"
    assert snoozed.snoozed_until is not None
    assert snoozed.snoozed_until.date() == promised
    assert workspace.edited(channel, ts)
    text = json.dumps(workspace.emulator.message(channel, ts)["blocks"], ensure_ascii=False)
    assert f"Promise to pay by {promised.isoformat()} logged by {person.name} in slack" in text


@pytest.mark.parametrize(
    ("tamper", "error"),
    [
        ("secret", "slack request refused: signature does not match"),
        ("stale", "slack request refused: signature timestamp is more than 300 s old"),
        ("future", "slack request refused: signature timestamp is more than 300 s in the future"),
    ],
)
def test_a_bad_stale_or_future_signature_gets_401_and_changes_nothing(
    session: Session, workspace: Workspace, tamper: str, error: str
) -> None:
    delivery, alert, person = alert_message(session, workspace)
    assert person.slack_id is not None
    assert delivery.vendor_ref is not None
    channel, ts = delivery.vendor_ref.split(":")
    emulator = workspace.emulator
    body = emulator.interaction_body(
        emulator.block_action(person.slack_id, channel, ts, facts.ACKNOWLEDGE, str(alert.id))
    )
    at = (
        datetime.now(UTC)
        + {"secret": timedelta(), "stale": -timedelta(minutes=6), "future": timedelta(minutes=6)}[tamper]
    )
    if tamper == "secret":
        emulator.signing_secret = "not-the-apps-secret"
    answer = emulator.deliver(
        "/integrations/slack/interactions", body, content_type="application/x-www-form-urlencoded", at=at
    )
    assert (answer.status_code, answer.json()) == (401, {"detail": error})
    assert [e.kind for e in events_of(session, alert.id)] == ["opened"]
    assert emulator.updates == []


def test_a_replayed_payload_changes_nothing_twice(session: Session, workspace: Workspace) -> None:
    delivery, alert, person = alert_message(session, workspace)
    assert person.slack_id is not None
    assert delivery.vendor_ref is not None
    channel, ts = delivery.vendor_ref.split(":")
    emulator = workspace.emulator
    body = emulator.interaction_body(
        emulator.block_action(person.slack_id, channel, ts, facts.ACKNOWLEDGE, str(alert.id))
    )
    for _ in range(2):
        answer = emulator.deliver(
            "/integrations/slack/interactions", body, content_type="application/x-www-form-urlencoded"
        )
        assert answer.status_code == 200
    assert workspace.edited(channel, ts)
    assert [e.kind for e in events_of(session, alert.id)] == ["opened", "acknowledge"]
    assert emulator.updates == [(channel, ts)]


def test_an_action_in_the_web_app_and_a_payment_edit_the_message_in_place(
    session: Session, database: Database, settings: Settings, workspace: Workspace
) -> None:
    delivery, alert, person = alert_message(session, workspace)
    assert delivery.vendor_ref is not None
    channel, ts = delivery.vendor_ref.split(":")
    posts = len(workspace.emulator.posts)
    alerts.acknowledge(
        session=session,
        principal=principal_for(session=session, person=person),
        alert_id=alert.id,
        channel="web",
        now=datetime.now(UTC),
    )
    session.commit()
    deliver(database, settings, at=datetime.now(UTC))
    assert f"Acknowledged by {person.name} in web" in json.dumps(
        workspace.emulator.message(channel, ts)["blocks"], ensure_ascii=False
    )

    assert alert.invoice_id is not None
    paid = pay_in_full(session, alert.invoice_id)
    run_cycle(session, settings, after=timedelta(days=1, hours=9))
    deliver(database, settings, at=datetime.now(UTC))
    assert f"resolved: paid on {paid.paid_date}" in json.dumps(
        workspace.emulator.message(channel, ts)["blocks"], ensure_ascii=False
    )
    assert workspace.emulator.updates == [(channel, ts), (channel, ts)]
    # Later notifications of the day went out, but none posted this alert again.
    reposted = [
        d for d in deliveries(session) if alert.id in d.alert_ids and d.vendor_ref != delivery.vendor_ref
    ]
    assert reposted == []
    assert len(workspace.emulator.posts) >= posts


def test_opening_app_home_publishes_the_persons_open_alerts_most_money_first(
    session: Session, workspace: Workspace
) -> None:
    _, alert, person = alert_message(session, workspace)
    assert person.slack_id is not None
    answer = workspace.emulator.open_home(person.slack_id)
    assert answer.status_code == 200
    home = workspace.emulator.homes[person.slack_id]
    headers = [b["text"]["text"] for b in home["blocks"] if b["type"] == "header"]
    assert headers[0] == "Your open payment alerts"
    owned = session.scalars(
        select(Account.name)
        .join(Alert, Alert.account_id == Account.id)
        .where(Account.owner_id == person.id, Alert.state.in_(("firing", "acknowledged", "snoozed")))
    ).all()
    assert set(headers[1:]) == {name[:150] for name in owned}
    assert session.get_one(Account, alert.account_id).name[:150] in headers
    assert any(
        e["action_id"] == facts.ACKNOWLEDGE
        for b in home["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    )


def test_slash_nudge_answers_privately_with_the_account_card(session: Session, workspace: Workspace) -> None:
    _, alert, person = alert_message(session, workspace)
    assert person.slack_id is not None
    account = session.get_one(Account, alert.account_id)
    answer = workspace.emulator.slash(person.slack_id, account.name.upper())
    body = answer.json()
    assert (answer.status_code, body["response_type"], body["text"]) == (
        200,
        "ephemeral",
        f"Nudge: {account.name}",
    )
    assert body["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": account.name[:150], "emoji": True},
    }
    assert "Chance of paying late" in json.dumps(body["blocks"]) or "Open:" in json.dumps(
        body["blocks"], ensure_ascii=False
    )
    unknown = workspace.emulator.slash(person.slack_id, "no such account anywhere")
    assert unknown.json() == {
        "response_type": "ephemeral",
        "text": "No account you may see matches 'no such account anywhere'.",
    }


def test_someone_nudge_does_not_know_is_told_and_nothing_changes(
    session: Session, workspace: Workspace
) -> None:
    delivery, alert, _ = alert_message(session, workspace)
    assert delivery.vendor_ref is not None
    channel, ts = delivery.vendor_ref.split(":")
    workspace.emulator.seed(
        users=[{"id": "U0STRANGER", "email": "stranger@elsewhere.dev", "name": "Stranger"}]
    )
    answer = workspace.emulator.click("U0STRANGER", channel, ts, facts.ACKNOWLEDGE, str(alert.id))
    assert answer.status_code == 200
    assert [e.kind for e in events_of(session, alert.id)] == ["opened"]
    [note] = workspace.emulator.responses
    assert note["text"] == "Nudge does not know your Slack account: ask an admin to add your Slack id."


def test_a_modal_slack_cannot_open_is_explained_privately(session: Session, workspace: Workspace) -> None:
    delivery, alert, person = alert_message(session, workspace)
    assert person.slack_id is not None
    assert delivery.vendor_ref is not None
    channel, ts = delivery.vendor_ref.split(":")
    workspace.emulator.gate.faults.server_errors_next = 1  # views.open fails
    answer = workspace.emulator.click(person.slack_id, channel, ts, facts.PROMISE, str(alert.id))
    assert answer.status_code == 200
    [note] = workspace.emulator.responses
    assert note["text"] == "Slack could not show this: slack views.open: internal_error"
    assert [e.kind for e in events_of(session, alert.id)] == ["opened"]
