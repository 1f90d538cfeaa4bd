"""The Slack notifier through the official WebClient against the emulator: DMs found by
e-mail and cached, Block Kit with a text fallback, edits in place, 429s and failures as
DeliveryErrors, and a retry that finds what an earlier attempt posted."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

from connectors.core.protocols import (
    AccountSection,
    ActionLink,
    AlertLine,
    DeliveryError,
    InvoiceLine,
    OutgoingMessage,
    Recipient,
)
from connectors.core.registry import get
from connectors.slack import facts
from connectors.slack.emulator import SlackEmulator
from connectors.slack.notifier import SlackNotifier

MAYA = {"id": "U0MAYA0001", "email": "maya.chen@acme.test", "name": "Maya Chen"}


@pytest.fixture
def slack() -> Iterator[tuple[SlackEmulator, SlackNotifier]]:
    spec = get("slack")
    assert spec.emulator is not None
    emulator: SlackEmulator = spec.emulator.create()
    emulator.seed(users=[MAYA], channels=[{"id": "C0COLLECT1", "name": "collections"}])
    with spec.emulator.serve(emulator) as env:
        notifier = spec.build_notifier(spec.load_settings(env))
        assert isinstance(notifier, SlackNotifier)
        yield emulator, notifier


def northwind(
    *, allowed: tuple[str, ...] = ("acknowledge", "snooze", "promise", "dispute")
) -> AccountSection:
    line = AlertLine(
        alert_id=7,
        rule="overdue-high-value",
        severity="high",
        state="firing",
        message="Northwind: invoice INV-7 is 12 days late.",
        invoice=InvoiceLine("INV-7", Decimal("10000.00"), "eur", date(2026, 11, 8), 12),
        p_late=0.8123,
        reasons=("pays 20 days late on average", "invoice is 12 days past due"),
        actions=(
            ActionLink("open", "Open in Nudge", "https://nudge.example.com/accounts/3"),
            ActionLink("open_crm", "Open in CRM", "https://app.hubspot.com/contacts/1/company/9"),
        ),
        allowed=allowed,
    )
    return AccountSection(
        3, "Northwind", "https://nudge.example.com/accounts/3", "Maya Chen", 61.6, 30, (line,)
    )


def message(key: str = "k1", **changes: object) -> OutgoingMessage:
    base = OutgoingMessage(
        key=key,
        channel="slack_dm",
        kind="alerts",
        recipient=Recipient(address=MAYA["email"], kind="person", name="Maya Chen"),
        sections=(northwind(),),
        nudge_url="https://nudge.example.com",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_a_message_shows_the_account_invoice_risk_dso_and_every_control(
    slack: tuple[SlackEmulator, SlackNotifier],
) -> None:
    _, notifier = slack
    rendered = notifier.render(message())
    assert rendered.text == (
        "Nudge — Northwind: Northwind: invoice INV-7 is 12 days late. — "
        "invoice INV-7 10,000.00 EUR, 12 days past due"
    )
    assert rendered.body is not None
    blocks = rendered.body["blocks"]
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "Northwind", "emoji": True}}
    assert blocks[1]["elements"][0]["text"] == "Owner: Maya Chen · DSO 62 days vs 30-day terms"
    assert blocks[2]["text"]["text"].splitlines() == [
        ":large_orange_circle: *high* Northwind: invoice INV-7 is 12 days late.",
        "Invoice *INV-7* · 10,000.00 EUR · 12 days past due (due 2026-11-08)",
        "Chance of paying late: *81%* — pays 20 days late on average; invoice is 12 days past due",
    ]
    controls = blocks[3]["elements"]
    assert [(c["action_id"], c.get("url")) for c in controls] == [
        (facts.ACKNOWLEDGE, None),
        (facts.SNOOZE, None),
        (facts.PROMISE, None),
        (facts.DISPUTE, None),
        (facts.OPEN, "https://nudge.example.com/accounts/3"),
        (facts.OPEN_CRM, "https://app.hubspot.com/contacts/1/company/9"),
    ]
    assert [o["value"] for o in controls[1]["options"]] == ["7:1", "7:3", "7:7"]


def test_a_resolved_alert_offers_no_buttons_and_says_how_it_resolved(
    slack: tuple[SlackEmulator, SlackNotifier],
) -> None:
    _, notifier = slack
    [line] = northwind(allowed=()).alerts
    resolved = dataclasses.replace(line, state="resolved", status_note="resolved: paid on 2026-11-20")
    section = dataclasses.replace(northwind(), alerts=(resolved,))
    body = notifier.render(message(sections=(section,))).body
    assert body is not None
    assert "_resolved: paid on 2026-11-20_" in body["blocks"][2]["text"]["text"]
    assert [c["action_id"] for c in body["blocks"][3]["elements"]] == [facts.OPEN, facts.OPEN_CRM]


def test_a_person_is_found_by_email_once_and_messaged_in_their_dm(
    slack: tuple[SlackEmulator, SlackNotifier],
) -> None:
    emulator, notifier = slack
    first = notifier.send(message("k1"), notifier.render(message("k1")))
    second = notifier.send(message("k2"), notifier.render(message("k2")))
    dm = emulator.messages_for(MAYA["id"])
    assert [f"{c}:{t}" for c, t in emulator.posts] == [first, second]
    assert [m["metadata"]["event_payload"]["key"] for m in dm] == ["k1", "k2"]
    assert emulator.gate.calls_by_path["/api/users.lookupByEmail"] == 1
    assert emulator.gate.calls_by_path["/api/conversations.open"] == 1


def test_a_channel_receiver_is_posted_in_the_channel(slack: tuple[SlackEmulator, SlackNotifier]) -> None:
    emulator, notifier = slack
    to_channel = message(
        channel="slack_channel", recipient=Recipient(address="#collections", kind="slack_channel")
    )
    ref = notifier.send(to_channel, notifier.render(to_channel))
    assert ref.startswith("C0COLLECT1:")
    assert emulator.gate.calls_by_path.get("/api/users.lookupByEmail") is None


def test_a_previous_ref_is_edited_and_a_deleted_one_posted_again(
    slack: tuple[SlackEmulator, SlackNotifier],
) -> None:
    emulator, notifier = slack
    ref = notifier.send(message(), notifier.render(message()))
    edit = message("k2", previous_ref=ref)
    assert notifier.send(edit, notifier.render(edit)) == ref
    assert len(emulator.posts) == 1
    assert emulator.updates == [tuple(ref.split(":"))]
    gone = message("k3", previous_ref=ref.split(":")[0] + ":1.000001")
    fresh = notifier.send(gone, notifier.render(gone))
    assert fresh != ref
    assert len(emulator.posts) == 2


def test_a_retry_finds_the_message_an_earlier_attempt_posted(
    slack: tuple[SlackEmulator, SlackNotifier],
) -> None:
    emulator, notifier = slack
    ref = notifier.send(message(), notifier.render(message()))
    again = message(attempt=2)
    assert notifier.send(again, notifier.render(again)) == ref
    assert len(emulator.posts) == 1


def test_a_429_is_a_retryable_error_with_slacks_retry_after(
    slack: tuple[SlackEmulator, SlackNotifier],
) -> None:
    emulator, notifier = slack
    emulator.set_post_limit(1, 30.0)  # one post per 30 s in each conversation
    notifier.send(message("k0"), notifier.render(message("k0")))
    with pytest.raises(DeliveryError) as throttled:
        notifier.send(message("k1"), notifier.render(message("k1")))
    assert (str(throttled.value), throttled.value.retryable, throttled.value.retry_after) == (
        "slack chat.postMessage: ratelimited",
        True,
        30.0,
    )
    assert emulator.throttled == 1
    assert len(emulator.posts) == 1


def test_server_errors_are_retryable_and_an_unknown_person_is_final(
    slack: tuple[SlackEmulator, SlackNotifier],
) -> None:
    emulator, notifier = slack
    emulator.gate.faults.server_errors_next = 1
    with pytest.raises(DeliveryError) as failed:
        notifier.send(message(), notifier.render(message()))
    assert (str(failed.value), failed.value.retryable) == ("slack users.lookupByEmail: internal_error", True)
    stranger = message(recipient=Recipient(address="nobody@acme.test", kind="person"))
    with pytest.raises(DeliveryError) as unknown:
        notifier.send(stranger, notifier.render(stranger))
    assert (str(unknown.value), unknown.value.retryable) == (
        "slack: no Slack user has the address nobody@acme.test",
        False,
    )


def test_the_emulator_answers_in_slacks_shapes(slack: tuple[SlackEmulator, SlackNotifier]) -> None:
    _emulator, notifier = slack
    api = notifier.api
    assert set(api.call("auth.test")) >= {"ok", "url", "team", "user", "team_id", "user_id", "bot_id"}
    opened = api.call("conversations.open", users=MAYA["id"])
    again = api.call("conversations.open", users=MAYA["id"])
    assert again == {
        "ok": True,
        "no_op": True,
        "already_open": True,
        "channel": {"id": opened["channel"]["id"]},
    }
    posted = api.call("chat.postMessage", channel=opened["channel"]["id"], text="hello")
    assert set(posted) == {"ok", "channel", "ts", "message"}
    assert json.loads(json.dumps(posted["message"]))["text"] == "hello"
    updated = api.call("chat.update", channel=posted["channel"], ts=posted["ts"], text="edited")
    assert set(updated) == {"ok", "channel", "ts", "text", "message"}
    with pytest.raises(DeliveryError, match=r"^slack chat\.update: message_not_found$"):
        api.call("chat.update", channel=posted["channel"], ts="1.000001", text="x")
    with pytest.raises(DeliveryError, match=r"^slack views\.publish: invalid_arguments$"):
        api.call("views.publish", user_id=MAYA["id"], view={"type": "modal", "blocks": []})
