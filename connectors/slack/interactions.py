"""Slack's inbound requests: interactivity, slash commands and events, verified and parsed.

Every route checks ``X-Slack-Signature`` (v0) over the raw body with the timestamp within
the tolerance of now in both directions (401 otherwise), then turns the request into
vendor-neutral :class:`Interaction` s. ``answer`` gives Slack what it expects back within
3 seconds: an empty 200 for a button (the message is edited by the delivery pipeline), a
modal opened with ``views.open`` for promise and dispute, ``response_action: errors`` for a
form with mistakes, the account card for ``/nudge``, ``views.publish`` for the Home tab and
the ``challenge`` of Slack's URL check.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import requests

from connectors.core.interactions import Answer, Interaction, InteractionKind, Outcome
from connectors.core.protocols import DeliveryError
from connectors.core.webhooks import InboundRequest, WebhookEvents, WebhookRejectedError, WebhookRoute
from connectors.slack import blocks, facts
from connectors.slack.signature import verify

INTERACTIONS_PATH = "/integrations/slack/interactions"
COMMANDS_PATH = "/integrations/slack/commands"
EVENTS_PATH = "/integrations/slack/events"
# Modal fields as Nudge names them, by the block that holds them.
FORM_FIELDS = {
    facts.PROMISE_DATE_BLOCK: "date",
    facts.PROMISE_AMOUNT_BLOCK: "amount",
    facts.DISPUTE_REASON_BLOCK: "reason",
}
FIELD_BLOCKS = {name: block for block, name in FORM_FIELDS.items()}
BUTTONS = {facts.ACKNOWLEDGE: "acknowledge", facts.PROMISE: "promise", facts.DISPUTE: "dispute"}
MODALS = {facts.PROMISE_MODAL: "promise", facts.DISPUTE_MODAL: "dispute"}

Call = Callable[..., dict[str, Any]]
log = logging.getLogger("nudge.slack")


def routes(*, secret: str, tolerance: timedelta, call: Call) -> tuple[WebhookRoute, ...]:
    """The three inbound routes; ``call(method, **arguments)`` reaches the Web API."""

    def checked(
        parse: Callable[[bytes], tuple[Interaction, ...]],
    ) -> Callable[[InboundRequest, datetime], WebhookEvents]:
        def receive(request: InboundRequest, now: datetime) -> WebhookEvents:
            verify(request, secret=secret, now=now, tolerance=tolerance)
            return WebhookEvents(events=(), interactions=parse(request.body))

        return receive

    def answer(outcomes: Sequence[Outcome]) -> Answer:
        return answer_slack(outcomes, call=call)

    return (
        WebhookRoute(INTERACTIONS_PATH, checked(parse_interaction), answer),
        WebhookRoute(COMMANDS_PATH, checked(parse_command), answer),
        WebhookRoute(EVENTS_PATH, checked(parse_event), answer),
    )


def _form(body: bytes) -> dict[str, str]:
    try:
        return {key: values[0] for key, values in parse_qs(body.decode(), keep_blank_values=True).items()}
    except UnicodeDecodeError:
        raise WebhookRejectedError("body is not a form", status=400) from None


def _request_id(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


def parse_interaction(body: bytes) -> tuple[Interaction, ...]:
    """A ``block_actions`` or ``view_submission`` payload; other types carry nothing to do."""
    try:
        payload = json.loads(_form(body)["payload"])
    except (KeyError, ValueError):
        raise WebhookRejectedError("no interaction payload", status=400) from None
    user = str((payload.get("user") or {}).get("id", ""))
    if payload.get("type") == "block_actions":
        return tuple(
            _block_action(payload, action, user, _request_id(body)) for action in payload.get("actions", [])
        )
    if payload.get("type") == "view_submission":
        return _submission(payload, user, _request_id(body))
    return ()


def _block_action(
    payload: Mapping[str, Any], action: Mapping[str, Any], user: str, request_id: str
) -> Interaction:
    container = payload.get("container") or {}
    ref = (
        f"{container.get('channel_id')}:{container.get('message_ts')}"
        if container.get("message_ts")
        else None
    )
    reply = {"trigger_id": payload.get("trigger_id", ""), "response_url": payload.get("response_url", "")}
    action_id = str(action.get("action_id", ""))
    alert_id: int | None = _int(action.get("value"))
    kind: InteractionKind = "form"
    name = BUTTONS.get(action_id)
    values: dict[str, str] = {}
    if action_id == facts.SNOOZE:
        alert, _, days = str((action.get("selected_option") or {}).get("value", "")).partition(":")
        kind, name, alert_id, values = "action", "snooze", _int(alert), {"days": days}
    elif action_id in (facts.OPEN, facts.OPEN_CRM):
        kind = "ping"  # a link button: Slack opens the URL itself
    elif action_id == facts.ACKNOWLEDGE:
        kind = "action"
    return Interaction(
        vendor="slack",
        kind=kind,
        request_id=request_id,
        user_id=user,
        action=name,
        alert_id=alert_id,
        values=values,
        message_ref=ref,
        reply=reply,
    )


def _submission(payload: Mapping[str, Any], user: str, request_id: str) -> tuple[Interaction, ...]:
    view = payload.get("view") or {}
    action = MODALS.get(str(view.get("callback_id", "")))
    if action is None:
        return ()
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        raise WebhookRejectedError("modal metadata is not JSON", status=400) from None
    values: dict[str, str] = {}
    for block_id, fields in ((view.get("state") or {}).get("values") or {}).items():
        element = (fields or {}).get(facts.FIELD_ACTION) or {}
        value = element.get("selected_date") if element.get("type") == "datepicker" else element.get("value")
        if block_id in FORM_FIELDS and value is not None:
            values[FORM_FIELDS[block_id]] = str(value)
    return (
        Interaction(
            vendor="slack",
            kind="submit",
            request_id=request_id,
            user_id=user,
            action=action,
            alert_id=_int(meta.get("alert_id")),
            values=values,
            message_ref=meta.get("message_ref"),
        ),
    )


def parse_command(body: bytes) -> tuple[Interaction, ...]:
    """``/nudge <account name, domain or CRM id>``."""
    form = _form(body)
    if form.get("command") != facts.SLASH_COMMAND:
        raise WebhookRejectedError(f"unknown command {form.get('command')!r}", status=400)
    return (
        Interaction(
            vendor="slack",
            kind="lookup",
            request_id=_request_id(body),
            user_id=form.get("user_id", ""),
            values={"query": form.get("text", "").strip()},
            reply={"response_url": form.get("response_url", "")},
        ),
    )


def parse_event(body: bytes) -> tuple[Interaction, ...]:
    """The Events API: the URL check, and ``app_home_opened`` on the Home tab."""
    try:
        payload = json.loads(body)
    except ValueError:
        raise WebhookRejectedError("body is not JSON", status=400) from None
    if payload.get("type") == "url_verification":
        return (
            Interaction(
                vendor="slack", kind="ping", request_id="", reply={"challenge": payload.get("challenge", "")}
            ),
        )
    event = payload.get("event") or {}
    if (
        payload.get("type") == "event_callback"
        and event.get("type") == "app_home_opened"
        and event.get("tab", "home") == "home"
    ):
        return (
            Interaction(
                vendor="slack",
                kind="home",
                request_id=str(payload.get("event_id", "")),
                user_id=str(event.get("user", "")),
            ),
        )
    return ()


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def answer_slack(outcomes: Sequence[Outcome], *, call: Call) -> Answer:
    """Slack's answer to the request these outcomes came from (one request, usually one outcome).

    A form with mistakes is answered before anything else; the Home tab is published again
    whenever Nudge drew it (opened, or changed by the person's action)."""
    for outcome in outcomes:
        interaction = outcome.interaction
        if interaction.kind == "ping" and "challenge" in interaction.reply:
            return Answer(body={"challenge": interaction.reply["challenge"]})
        if interaction.kind == "submit" and not outcome.ok:
            return Answer(body={"response_action": "errors", "errors": _field_errors(outcome)})
        if interaction.kind == "lookup":
            return Answer(body=_card_answer(outcome))
        try:
            _follow_up(outcome, call)
        except DeliveryError as error:  # the action stands; Slack could not show the rest
            log.warning("slack: %s", error)
            if interaction.reply.get("response_url"):
                _tell(str(interaction.reply["response_url"]), f"Slack could not show this: {error}")
    return Answer()


def _follow_up(outcome: Outcome, call: Call) -> None:
    """Open the form, tell the person what went wrong, redraw their Home tab."""
    interaction = outcome.interaction
    if interaction.kind == "form" and outcome.ok:
        _open_form(outcome, call)
    elif outcome.error is not None and interaction.reply.get("response_url"):
        _tell(str(interaction.reply["response_url"]), outcome.error)
    if outcome.home is not None:
        view = blocks.home_view(outcome.home, nudge_url=outcome.nudge_url)
        call("views.publish", user_id=interaction.user_id, view=view)


def _field_errors(outcome: Outcome) -> dict[str, str]:
    errors = {FIELD_BLOCKS.get(name, name): message for name, message in outcome.field_errors.items()}
    if outcome.error is not None:
        action = outcome.interaction.action
        errors.setdefault(
            facts.PROMISE_DATE_BLOCK if action == "promise" else facts.DISPUTE_REASON_BLOCK, outcome.error
        )
    return errors


def _open_form(outcome: Outcome, call: Call) -> None:
    interaction = outcome.interaction
    assert interaction.alert_id is not None  # a form is opened for an alert the service found
    build = blocks.promise_modal if interaction.action == "promise" else blocks.dispute_modal
    view = build(interaction.alert_id, interaction.message_ref, outcome.title or "")
    call("views.open", trigger_id=interaction.reply.get("trigger_id", ""), view=view)


def _card_answer(outcome: Outcome) -> dict[str, Any]:
    if outcome.card is None:
        return {"response_type": "ephemeral", "text": outcome.error or "Nothing found."}
    name = outcome.card["account"]["name"]
    return {
        "response_type": "ephemeral",
        "text": f"Nudge: {name}",
        "blocks": blocks.card_blocks(outcome.card),
    }


def _tell(response_url: str, text: str) -> None:
    """A private note to the person who acted (Slack's ``response_url``)."""
    try:
        requests.post(
            response_url,
            json={"response_type": "ephemeral", "replace_original": False, "text": text},
            timeout=5,
        )
    except requests.RequestException as exc:  # the action's outcome stands; only the note is lost
        log.warning("slack: could not answer on the response_url: %s", exc)
