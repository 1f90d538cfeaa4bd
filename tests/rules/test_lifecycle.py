"""The alert state machine: identity, reconciliation, people's actions and their history."""

from datetime import date, datetime, timedelta

import pytest

from rules.engine import Firing
from rules.lifecycle import (
    Action,
    Alert,
    State,
    TransitionError,
    alert_identity,
    allowed_actions,
    already_done,
    apply_action,
    reconcile,
    snooze_until_promise,
)

NOW = datetime(2024, 3, 1, 9, 0)
RULES = {"overdue", "broken-promise"}


def _firing(invoice: str = "A1", message: str = "A1 is 5 days late") -> Firing:
    return Firing("overdue", "A", invoice, "high", message, {"account": "A"})


def _run(current: dict, firings: list[Firing], *, now: datetime = NOW, paid: set[str] | None = None):
    result = reconcile(current, firings, evaluated_rules=RULES, paid_invoices=paid or set(), now=now)
    return result, {**current, **{alert.key: alert for alert in result.changed}}


def test_first_firing_opens_and_rerunning_unchanged_data_changes_nothing() -> None:
    result, alerts = _run({}, [_firing()])
    assert [a.key for a in result.opened] == [("overdue", "A", "A1")]
    assert [(e.kind, e.actor, e.to_state) for e in result.events] == [("opened", "nudge", State.FIRING)]
    again, _ = _run(alerts, [_firing()], now=NOW + timedelta(hours=1))
    assert again.changed == []
    assert again.events == []
    assert again.to_notify == []


def test_new_message_updates_without_notifying() -> None:
    _, alerts = _run({}, [_firing()])
    result, _ = _run(alerts, [_firing(message="A1 is 6 days late")], now=NOW + timedelta(days=1))
    assert [a.message for a in result.updated] == ["A1 is 6 days late"]
    assert result.to_notify == []
    assert result.events[0].kind == "updated"


def test_paying_the_invoice_resolves_its_alert_with_reason_paid() -> None:
    _, alerts = _run({}, [_firing("A1"), _firing("A2")])
    result, alerts = _run(alerts, [], now=NOW + timedelta(days=1), paid={"A1"})
    reasons = {a.key[2]: a.resolved_reason for a in result.resolved}
    assert reasons == {"A1": "paid", "A2": "condition_cleared"}
    assert all(a.state == State.RESOLVED for a in result.resolved)


def test_rules_not_evaluated_this_time_keep_their_alerts() -> None:
    current = {("other-rule", "A", None): _alert(("other-rule", "A", None))}
    result, _ = _run(current, [])
    assert result.changed == []


def test_snoozed_alert_resumes_when_the_promise_date_passes() -> None:
    _, alerts = _run({}, [_firing()])
    key = ("overdue", "A", "A1")
    snoozed, event = snooze_until_promise(alerts[key], promise_date=date(2024, 3, 5), actor="ana", at=NOW)
    assert (snoozed.state, snoozed.snoozed_until, event.actor) == (
        State.SNOOZED,
        date(2024, 3, 5),
        "ana",
    )
    alerts[key] = snoozed
    quiet, _ = _run(alerts, [_firing()], now=datetime(2024, 3, 4, 9))
    assert quiet.changed == []
    resumed, _ = _run(alerts, [_firing()], now=datetime(2024, 3, 5, 9))
    assert [a.state for a in resumed.resumed] == [State.FIRING]
    assert resumed.events[0].detail == {"snooze_reason": "promise to pay"}
    assert resumed.to_notify == resumed.resumed


def test_a_person_closing_an_alert_keeps_it_closed_until_the_condition_clears_and_returns() -> None:
    _, alerts = _run({}, [_firing()])
    key = ("overdue", "A", "A1")
    closed, event = apply_action(alerts[key], Action.CLOSE, actor="ana", at=NOW)
    assert (closed.state, closed.resolved_reason, event.kind) == (State.RESOLVED, "closed", "close")
    alerts[key] = closed
    still, alerts = _run(alerts, [_firing()], now=NOW + timedelta(days=1))
    assert still.changed == []
    cleared, alerts = _run(alerts, [], now=NOW + timedelta(days=2))
    assert cleared.to_notify == []
    assert not alerts[key].condition_active
    back, _ = _run(alerts, [_firing()], now=NOW + timedelta(days=3))
    assert [a.key for a in back.reopened] == [key]
    assert back.events[0].kind == "reopened"


def test_invalid_transitions_are_refused() -> None:
    alert = _alert(("overdue", "A", "A1"))
    acknowledged, _ = apply_action(alert, Action.ACKNOWLEDGE, actor="ana", at=NOW)
    with pytest.raises(TransitionError, match="cannot acknowledge an alert that is acknowledged"):
        apply_action(acknowledged, Action.ACKNOWLEDGE, actor="ana", at=NOW)
    with pytest.raises(TransitionError, match="a snooze needs an end date after today"):
        apply_action(alert, Action.SNOOZE, actor="ana", at=NOW, until=date(2024, 3, 1))
    closed, _ = apply_action(alert, Action.CLOSE, actor="ana", at=NOW)
    with pytest.raises(TransitionError, match="cannot snooze an alert that is resolved"):
        apply_action(closed, Action.SNOOZE, actor="ana", at=NOW, until=date(2024, 4, 1))


def test_a_person_reopens_only_what_a_person_closed() -> None:
    alert = _alert(("overdue", "A", "A1"))
    closed, _ = apply_action(alert, Action.CLOSE, actor="ana", at=NOW)
    reopened, event = apply_action(closed, Action.REOPEN, actor="ben", at=NOW + timedelta(hours=1))
    assert (reopened.state, reopened.resolved_reason, event.kind, event.from_state) == (
        State.FIRING,
        None,
        "reopen",
        State.RESOLVED,
    )
    with pytest.raises(TransitionError, match=r"^cannot reopen an alert that is firing$"):
        apply_action(reopened, Action.REOPEN, actor="ben", at=NOW)
    paid = Alert(alert.key, State.RESOLVED, "high", "msg", NOW, NOW, resolved_reason="paid")
    with pytest.raises(
        TransitionError,
        match=r"^cannot reopen an alert resolved as 'paid': only an alert a person closed can be reopened$",
    ):
        apply_action(paid, Action.REOPEN, actor="ben", at=NOW)


def test_a_promise_snoozes_and_a_dispute_keeps_the_state_both_only_on_an_invoice() -> None:
    alert = _alert(("overdue", "A", "A1"))
    promised, event = apply_action(alert, Action.PROMISE, actor="ana", at=NOW, until=date(2024, 3, 8))
    assert (promised.state, promised.snoozed_until, promised.snooze_reason, event.kind) == (
        State.SNOOZED,
        date(2024, 3, 8),
        "promise to pay",
        "promise",
    )
    disputed, event = apply_action(promised, Action.DISPUTE, actor="ana", at=NOW, reason="pricing")
    assert (disputed.state, event.kind, event.detail) == (
        State.SNOOZED,
        "dispute",
        {"until": None, "reason": "pricing"},
    )
    account_alert = _alert(("dso-worsening", "A", None))
    with pytest.raises(
        TransitionError, match=r"^this alert is about the whole account: a promise to pay needs an invoice$"
    ):
        apply_action(account_alert, Action.PROMISE, actor="ana", at=NOW, until=date(2024, 3, 8))


def test_allowed_actions_and_what_a_repeat_would_change() -> None:
    alert = _alert(("overdue", "A", "A1"))
    assert allowed_actions(alert) == (
        Action.ACKNOWLEDGE,
        Action.SNOOZE,
        Action.PROMISE,
        Action.DISPUTE,
        Action.CLOSE,
    )
    assert allowed_actions(_alert(("dso-worsening", "A", None))) == (
        Action.ACKNOWLEDGE,
        Action.SNOOZE,
        Action.CLOSE,
    )
    acknowledged, _ = apply_action(alert, Action.ACKNOWLEDGE, actor="ana", at=NOW)
    assert already_done(acknowledged, Action.ACKNOWLEDGE)
    assert not already_done(alert, Action.ACKNOWLEDGE)
    snoozed, _ = apply_action(alert, Action.SNOOZE, actor="ana", at=NOW, until=date(2024, 3, 4))
    assert already_done(snoozed, Action.SNOOZE, until=date(2024, 3, 4))
    assert not already_done(snoozed, Action.SNOOZE, until=date(2024, 3, 5))
    closed, _ = apply_action(alert, Action.CLOSE, actor="ana", at=NOW)
    assert allowed_actions(closed) == (Action.REOPEN,)
    assert already_done(closed, Action.CLOSE)
    assert already_done(alert, Action.REOPEN)
    assert not already_done(alert, Action.DISPUTE)


def _alert(key: tuple) -> Alert:
    return Alert(key, State.FIRING, "high", "msg", NOW, NOW)


def test_identity_is_unique_with_or_without_an_invoice() -> None:
    assert alert_identity(("overdue", "A", "A1")) == "overdue|A|A1"
    assert alert_identity(("dso-worsening", "A", None)) == "dso-worsening|A|"
