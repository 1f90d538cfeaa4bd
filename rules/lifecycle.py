"""The alert lifecycle as a pure state machine (the database only stores its results).

Identity is (rule, account, invoice or None). States: ``firing`` -> ``acknowledged`` /
``snoozed`` (until a date, e.g. a promise date) -> ``resolved`` (the condition cleared,
the invoice was paid, or a person closed it). :func:`reconcile` turns the current alerts
plus a fresh evaluation into opens, reopens, resumes, updates and resolves, each with an
:class:`AlertEvent`; evaluating unchanged data again yields nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from rules.engine import AlertKey, Firing

SYSTEM_ACTOR = "nudge"


class State(StrEnum):
    """Where an alert is in its life."""

    FIRING = "firing"
    ACKNOWLEDGED = "acknowledged"
    SNOOZED = "snoozed"
    RESOLVED = "resolved"


class Action(StrEnum):
    """What a person can do to an alert (in the order cards show them)."""

    ACKNOWLEDGE = "acknowledge"
    SNOOZE = "snooze"
    PROMISE = "promise"
    DISPUTE = "dispute"
    CLOSE = "close"
    REOPEN = "reopen"


ALLOWED: dict[State, frozenset[Action]] = {
    State.FIRING: frozenset(
        {Action.ACKNOWLEDGE, Action.SNOOZE, Action.PROMISE, Action.DISPUTE, Action.CLOSE}
    ),
    State.ACKNOWLEDGED: frozenset({Action.SNOOZE, Action.PROMISE, Action.DISPUTE, Action.CLOSE}),
    State.SNOOZED: frozenset(
        {Action.ACKNOWLEDGE, Action.SNOOZE, Action.PROMISE, Action.DISPUTE, Action.CLOSE}
    ),
    State.RESOLVED: frozenset({Action.REOPEN}),
}
# What each action is called in a refusal: "cannot <verb> an alert that is <state>".
VERBS: dict[Action, str] = {
    Action.ACKNOWLEDGE: "acknowledge",
    Action.SNOOZE: "snooze",
    Action.PROMISE: "log a promise to pay on",
    Action.DISPUTE: "dispute",
    Action.CLOSE: "close",
    Action.REOPEN: "reopen",
}
# Actions about one invoice, and what each needs it for.
INVOICE_ACTIONS: dict[Action, str] = {Action.PROMISE: "a promise to pay", Action.DISPUTE: "a dispute"}
CLOSED = "closed"  # the resolution of an alert a person closed (the only one a person may undo)
PROMISE_REASON = "promise to pay"


def alert_identity(key: AlertKey) -> str:
    """The key as one string, ``rule|account|invoice-or-empty``: unique even without invoice."""
    rule, account, invoice = key
    return f"{rule}|{account}|{invoice or ''}"


class TransitionError(ValueError):
    """An action that the alert's state does not allow."""


@dataclass(frozen=True)
class Alert:
    """One alert's current state (one row of the ``alerts`` table)."""

    key: AlertKey
    state: State
    severity: str
    message: str
    opened_at: datetime
    updated_at: datetime
    labels: dict[str, str] = field(default_factory=dict)
    snoozed_until: date | None = None
    snooze_reason: str | None = None
    resolved_reason: str | None = None
    condition_active: bool = True

    @property
    def is_open(self) -> bool:
        return self.state != State.RESOLVED


@dataclass(frozen=True)
class AlertEvent:
    """One recorded change (one row of ``alert_events``): what, who, when."""

    key: AlertKey
    kind: str
    actor: str
    at: datetime
    from_state: State | None
    to_state: State
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Reconciliation:
    """What one evaluation changes. ``to_notify`` is what delivery should send."""

    opened: list[Alert] = field(default_factory=list)
    reopened: list[Alert] = field(default_factory=list)
    resumed: list[Alert] = field(default_factory=list)
    updated: list[Alert] = field(default_factory=list)
    resolved: list[Alert] = field(default_factory=list)
    events: list[AlertEvent] = field(default_factory=list)

    @property
    def changed(self) -> list[Alert]:
        """Every alert whose row must be written."""
        return [*self.opened, *self.reopened, *self.resumed, *self.updated, *self.resolved]

    @property
    def to_notify(self) -> list[Alert]:
        """Alerts a person should hear about now."""
        return [*self.opened, *self.reopened, *self.resumed]

    def record(self, bucket: list[Alert], alert: Alert, event: AlertEvent) -> None:
        bucket.append(alert)
        self.events.append(event)


def refusal(alert: Alert, action: Action) -> str | None:
    """Why ``action`` is not possible on ``alert`` now, or None when it is."""
    if action not in ALLOWED[alert.state]:
        return f"cannot {VERBS[action]} an alert that is {alert.state.value}"
    if action in INVOICE_ACTIONS and alert.key[2] is None:
        return f"this alert is about the whole account: {INVOICE_ACTIONS[action]} needs an invoice"
    if action == Action.REOPEN and alert.resolved_reason != CLOSED:
        return (
            f"cannot reopen an alert resolved as '{alert.resolved_reason}': "
            "only an alert a person closed can be reopened"
        )
    return None


def allowed_actions(alert: Alert) -> tuple[Action, ...]:
    """Every action a person may take on ``alert`` now, in :class:`Action` order."""
    return tuple(action for action in Action if refusal(alert, action) is None)


def already_done(alert: Alert, action: Action, *, until: date | None = None) -> bool:
    """True when doing ``action`` again would change nothing (a second click, a channel's retry)."""
    if action == Action.ACKNOWLEDGE:
        return alert.state == State.ACKNOWLEDGED
    if action == Action.SNOOZE:
        return alert.state == State.SNOOZED and alert.snoozed_until == until
    if action == Action.CLOSE:
        return alert.state == State.RESOLVED and alert.resolved_reason == CLOSED
    if action == Action.REOPEN:
        return alert.state == State.FIRING
    return False


def apply_action(
    alert: Alert,
    action: Action,
    *,
    actor: str,
    at: datetime,
    until: date | None = None,
    reason: str | None = None,
) -> tuple[Alert, AlertEvent]:
    """A person acts on an alert; raises :class:`TransitionError` if the state forbids it.

    A promise snoozes until the promised date (``until``); a dispute changes no state but
    is recorded; reopening undoes a person's close.
    """
    refused = refusal(alert, action)
    if refused is not None:
        raise TransitionError(refused)
    if action in (Action.SNOOZE, Action.PROMISE):
        if until is None or until <= at.date():
            raise TransitionError("a snooze needs an end date after today")
        if action == Action.PROMISE:
            reason = PROMISE_REASON
        new = replace(alert, state=State.SNOOZED, snoozed_until=until, snooze_reason=reason, updated_at=at)
    elif action == Action.ACKNOWLEDGE:
        new = replace(alert, state=State.ACKNOWLEDGED, snoozed_until=None, updated_at=at)
    elif action == Action.CLOSE:
        new = replace(alert, state=State.RESOLVED, resolved_reason=CLOSED, updated_at=at)
    elif action == Action.REOPEN:
        new = replace(alert, state=State.FIRING, resolved_reason=None, snoozed_until=None, updated_at=at)
    else:
        new = replace(alert, updated_at=at)
    detail = {"until": until.isoformat() if until else None, "reason": reason}
    return new, AlertEvent(alert.key, action.value, actor, at, alert.state, new.state, detail)


def snooze_until_promise(
    alert: Alert, *, promise_date: date, actor: str, at: datetime
) -> tuple[Alert, AlertEvent]:
    """A promise to pay snoozes the alert until the promised date (a broken promise resumes it)."""
    return apply_action(alert, Action.PROMISE, actor=actor, at=at, until=promise_date, reason=PROMISE_REASON)


def reconcile(
    current: Mapping[AlertKey, Alert],
    firings: Iterable[Firing],
    *,
    evaluated_rules: Collection[str],
    paid_invoices: Collection[str],
    now: datetime,
) -> Reconciliation:
    """Compare stored alerts with a fresh evaluation of ``evaluated_rules``.

    A firing without an alert opens one; on a resolved alert it reopens it, unless a
    person closed it and the condition never cleared since. A snoozed alert whose date
    passed resumes. An open alert whose rule was evaluated and did not fire resolves
    (reason ``paid`` when its invoice is in ``paid_invoices``).
    """
    result = Reconciliation()
    seen: set[AlertKey] = set()
    for firing in firings:
        seen.add(firing.key)
        alert = current.get(firing.key)
        if alert is None:
            _open(result, firing, now)
        else:
            _refresh(result, alert, firing, now)
    for key, alert in current.items():
        if key in seen or key[0] not in evaluated_rules:
            continue
        if alert.is_open:
            reason = "paid" if key[2] is not None and key[2] in paid_invoices else "condition_cleared"
            _resolve(result, alert, reason, now)
        elif alert.condition_active:
            # A person closed it while it still fired; remember that it has cleared now.
            result.updated.append(replace(alert, condition_active=False, updated_at=now))
    return result


def _open(result: Reconciliation, firing: Firing, now: datetime) -> None:
    alert = Alert(firing.key, State.FIRING, firing.severity, firing.message, now, now, dict(firing.labels))
    result.record(
        result.opened, alert, AlertEvent(alert.key, "opened", SYSTEM_ACTOR, now, None, State.FIRING)
    )


def _refresh(result: Reconciliation, alert: Alert, firing: Firing, now: datetime) -> None:
    content: dict[str, Any] = {
        "severity": firing.severity,
        "message": firing.message,
        "labels": dict(firing.labels),
    }
    if alert.state == State.RESOLVED:
        if alert.resolved_reason == "closed" and alert.condition_active:
            return
        new = replace(
            alert,
            state=State.FIRING,
            resolved_reason=None,
            condition_active=True,
            opened_at=now,
            updated_at=now,
            snoozed_until=None,
            **content,
        )
        event = AlertEvent(alert.key, "reopened", SYSTEM_ACTOR, now, alert.state, State.FIRING)
        result.record(result.reopened, new, event)
    elif alert.state == State.SNOOZED and alert.snoozed_until and alert.snoozed_until <= now.date():
        new = replace(alert, state=State.FIRING, snoozed_until=None, updated_at=now, **content)
        detail = {"snooze_reason": alert.snooze_reason}
        event = AlertEvent(alert.key, "resumed", SYSTEM_ACTOR, now, alert.state, State.FIRING, detail)
        result.record(result.resumed, new, event)
    elif (alert.severity, alert.message, alert.labels) != (
        firing.severity,
        firing.message,
        firing.labels,
    ):
        new = replace(alert, updated_at=now, **content)
        detail = {"message": firing.message} if alert.message != firing.message else {}
        event = AlertEvent(alert.key, "updated", SYSTEM_ACTOR, now, alert.state, alert.state, detail)
        result.record(result.updated, new, event)


def _resolve(result: Reconciliation, alert: Alert, reason: str, now: datetime) -> None:
    new = replace(alert, state=State.RESOLVED, resolved_reason=reason, condition_active=False, updated_at=now)
    event = AlertEvent(
        alert.key, "resolved", SYSTEM_ACTOR, now, alert.state, State.RESOLVED, {"reason": reason}
    )
    result.record(result.resolved, new, event)
