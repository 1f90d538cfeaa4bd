"""People acting on alerts, and reading them, scoped to the accounts they may see (the caller commits).

Every channel (web, API, email links, Slack, CRM cards, the extension, the CLI) acts
through the functions here and nothing else. Each change goes through the engine's
lifecycle (:func:`rules.apply_action`), is stored as an :class:`AlertEvent` with who,
when and through which channel, and as an audit entry. A refused action raises
:class:`ActionRefusedError` with the message a person sees.

Repeating an action whose outcome already holds changes nothing and records nothing
(acknowledging an acknowledged alert, snoozing to the same day, closing a closed alert,
reopening a firing one, the same promise or dispute again): a second click, an email
link opened twice or a Slack retry is harmless, and the history shows who acted first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal, get_args

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from agent.alerts.convert import event_row, to_alert, write
from agent.alerts.tables import Alert as AlertRow
from agent.alerts.tables import AlertEvent as AlertEventRow
from agent.audit.service import record
from agent.auth.service import Principal, visible_accounts
from agent.db.types import plain_amount
from agent.profile.tables import Account, Dispute, Invoice, PaymentPromise, Person
from rules import Action, TransitionError, already_done, apply_action
from rules import allowed_actions as lifecycle_actions
from rules.lifecycle import refusal

Channel = Literal["web", "api", "email", "slack", "crm", "extension", "cli"]
CHANNELS: tuple[str, ...] = get_args(Channel)


class AlertNotFoundError(LookupError):
    """No such alert among those the caller may see."""


class ActionRefusedError(Exception):
    """An action the alert does not allow now; ``message`` is what the person is shown."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class AlertListing:
    """An alert with the names people read next to it."""

    alert: AlertRow
    account_name: str
    invoice_number: str | None
    owner_name: str | None

    @property
    def actions(self) -> tuple[str, ...]:
        """What a person may do to the alert now."""
        return allowed_actions(self.alert)


def _listing_query(principal: Principal) -> Select[tuple[AlertRow, str, str, str]]:
    # Invoice number and owner name come from outer joins: None for account alerts / no owner.
    return (
        select(AlertRow, Account.name, Invoice.number, Person.name)
        .join(Account, Account.id == AlertRow.account_id)
        .outerjoin(Invoice, Invoice.id == AlertRow.invoice_id)
        .outerjoin(Person, Person.id == Account.owner_id)
        .where(visible_accounts(principal))
    )


def list_alerts(
    *,
    session: Session,
    principal: Principal,
    state: str | None = None,
    severity: str | None = None,
    rule: str | None = None,
    owner_id: int | None = None,
    account_id: int | None = None,
    limit: int = 500,
) -> list[AlertListing]:
    """Alerts the caller may see, newest change first, optionally filtered."""
    query = _listing_query(principal)
    for column, value in (
        (AlertRow.state, state),
        (AlertRow.severity, severity),
        (AlertRow.rule, rule),
        (Account.owner_id, owner_id),
        (AlertRow.account_id, account_id),
    ):
        if value is not None and value != "":
            query = query.where(column == value)
    query = query.order_by(AlertRow.updated_at.desc(), AlertRow.id.desc()).limit(limit)
    return [AlertListing(*row) for row in session.execute(query).tuples()]


def get_alert(*, session: Session, principal: Principal, alert_id: int) -> AlertListing:
    """One alert the caller may see; :class:`AlertNotFoundError` otherwise."""
    row = session.execute(_listing_query(principal).where(AlertRow.id == alert_id)).tuples().first()
    if row is None:
        raise AlertNotFoundError(f"no alert {alert_id}")
    return AlertListing(*row)


def list_events(*, session: Session, alert_ids: list[int]) -> dict[int, list[AlertEventRow]]:
    """Each alert's history, oldest first."""
    query = (
        select(AlertEventRow)
        .where(AlertEventRow.alert_id.in_(alert_ids))
        .order_by(AlertEventRow.at, AlertEventRow.id)
    )
    history: dict[int, list[AlertEventRow]] = {alert_id: [] for alert_id in alert_ids}
    for event in session.scalars(query):
        history[event.alert_id].append(event)
    return history


def alert_rules(*, session: Session) -> list[str]:
    """Names of the rules that raised alerts (for filters)."""
    return list(session.scalars(select(AlertRow.rule).distinct().order_by(AlertRow.rule)))


def account_alerts(
    *, session: Session, principal: Principal, account_id: int
) -> tuple[list[AlertListing], dict[int, list[AlertEventRow]]]:
    """An account's alerts and each one's history (what the account page shows)."""
    alerts = list_alerts(session=session, principal=principal, account_id=account_id)
    return alerts, list_events(session=session, alert_ids=[listing.alert.id for listing in alerts])


def allowed_actions(alert_row: AlertRow) -> tuple[str, ...]:
    """What its state and its subject allow (no promise or dispute on an account-level alert)."""
    return tuple(action.value for action in lifecycle_actions(to_alert(alert_row)))


def acknowledge(
    *,
    session: Session,
    principal: Principal,
    alert_id: int,
    channel: Channel,
    now: datetime,
    note: str | None = None,
) -> AlertRow:
    """Someone is on it: no more reminders or escalation."""
    row = _for_action(session, principal, alert_id, channel)
    return _transition(session, row, Action.ACKNOWLEDGE, principal, channel, now, reason=note)


def snooze(
    *,
    session: Session,
    principal: Principal,
    alert_id: int,
    channel: Channel,
    now: datetime,
    until: date | None = None,
    duration: timedelta | None = None,
    note: str | None = None,
) -> AlertRow:
    """Quiet until a day (``until``) or for whole days (``duration``); it fires again then."""
    row = _for_action(session, principal, alert_id, channel)
    end = _snooze_end(now, until, duration)
    return _transition(session, row, Action.SNOOZE, principal, channel, now, until=end, reason=note)


def close(
    *,
    session: Session,
    principal: Principal,
    alert_id: int,
    channel: Channel,
    now: datetime,
    note: str | None = None,
) -> AlertRow:
    """Resolve by hand; it reopens only after its condition cleared and fired again."""
    row = _for_action(session, principal, alert_id, channel)
    return _transition(session, row, Action.CLOSE, principal, channel, now, reason=note)


def reopen(
    *,
    session: Session,
    principal: Principal,
    alert_id: int,
    channel: Channel,
    now: datetime,
    note: str | None = None,
) -> AlertRow:
    """Undo a person's close: the alert fires again."""
    row = _for_action(session, principal, alert_id, channel)
    return _transition(session, row, Action.REOPEN, principal, channel, now, reason=note)


def log_promise(
    *,
    session: Session,
    principal: Principal,
    alert_id: int,
    channel: Channel,
    now: datetime,
    promised_date: date,
    amount: Decimal | None = None,
    note: str | None = None,
) -> PaymentPromise:
    """Log the customer's promise to pay the alert's invoice and snooze it until the promised date."""
    row = _for_action(session, principal, alert_id, channel)
    invoice = _invoice_for(session, row, Action.PROMISE)
    _check_promise(invoice, promised_date, amount, now.date())
    same = session.scalar(
        select(PaymentPromise).where(
            PaymentPromise.invoice_id == invoice.id,
            PaymentPromise.status == "open",
            PaymentPromise.promised_date == promised_date,
            PaymentPromise.amount.is_(None) if amount is None else PaymentPromise.amount == amount,
        )
    )
    if same is not None and already_done(to_alert(row), Action.SNOOZE, until=promised_date):
        return same
    promise = PaymentPromise(
        account_id=row.account_id,
        invoice_id=invoice.id,
        promised_date=promised_date,
        amount=amount,
        note=note,
        created_by_id=principal.person_id,
        created_at=now,
    )
    session.add(promise)
    session.flush()
    extra = {"promise_id": promise.id, "amount": None if amount is None else str(amount)}
    _apply(session, row, Action.PROMISE, principal, channel, now, until=promised_date, extra=extra)
    return promise


def mark_disputed(
    *,
    session: Session,
    principal: Principal,
    alert_id: int,
    channel: Channel,
    now: datetime,
    reason: str,
    note: str | None = None,
) -> Dispute:
    """Open a dispute on the alert's invoice (the alert keeps its state)."""
    row = _for_action(session, principal, alert_id, channel)
    invoice = _invoice_for(session, row, Action.DISPUTE)
    reason = reason.strip()
    if not reason:
        raise ActionRefusedError("a dispute needs a reason")
    existing = session.scalar(
        select(Dispute).where(Dispute.invoice_id == invoice.id, Dispute.status == "open").order_by(Dispute.id)
    )
    if existing is not None:
        if existing.reason == reason:
            return existing
        raise ActionRefusedError(
            f"invoice {invoice.number} is already disputed ({existing.reason}, dispute {existing.id})"
        )
    dispute = Dispute(
        account_id=row.account_id,
        invoice_id=invoice.id,
        reason=reason,
        note=note,
        status="open",
        opened_by_id=principal.person_id,
        opened_at=now,
    )
    session.add(dispute)
    session.flush()
    _apply(
        session, row, Action.DISPUTE, principal, channel, now, reason=reason, extra={"dispute_id": dispute.id}
    )
    return dispute


def _for_action(session: Session, principal: Principal, alert_id: int, channel: str) -> AlertRow:
    """The alert, locked against a concurrent action (PostgreSQL), if the caller may see it."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r} (one of {', '.join(CHANNELS)})")
    row = session.scalar(
        select(AlertRow)
        .join(Account, Account.id == AlertRow.account_id)
        .where(AlertRow.id == alert_id, visible_accounts(principal))
        .with_for_update(of=AlertRow)
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise AlertNotFoundError(f"no alert {alert_id}")
    return row


def _transition(
    session: Session,
    row: AlertRow,
    action: Action,
    principal: Principal,
    channel: str,
    now: datetime,
    *,
    until: date | None = None,
    reason: str | None = None,
) -> AlertRow:
    if not already_done(to_alert(row), action, until=until):
        _apply(session, row, action, principal, channel, now, until=until, reason=reason)
    return row


def _apply(
    session: Session,
    row: AlertRow,
    action: Action,
    principal: Principal,
    channel: str,
    now: datetime,
    *,
    until: date | None = None,
    reason: str | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Run the lifecycle, write the row, its history and the audit entry."""
    try:
        alert, event = apply_action(
            to_alert(row), action, actor=principal.email, at=now, until=until, reason=reason
        )
    except TransitionError as exc:
        raise ActionRefusedError(str(exc)) from None
    write(row, alert)
    event = replace(event, detail={**event.detail, **(extra or {})})
    session.add(event_row(row.id, event, channel=channel))
    before = None if event.from_state is None else event.from_state.value
    record(
        session=session,
        actor=event.actor,
        action=f"alert.{event.kind}",
        entity_type="alert",
        entity_id=row.id,
        detail={"from": before, "to": event.to_state.value, "channel": channel, **event.detail},
    )


def _snooze_end(now: datetime, until: date | None, duration: timedelta | None) -> date:
    """The day a snooze ends: given, or ``duration`` (whole days) after today."""
    if until is not None and duration is None:
        return until
    if duration is None or until is not None:
        raise ActionRefusedError("give either a day to snooze until or a number of days, not both")
    if duration < timedelta(days=1) or duration % timedelta(days=1):
        raise ActionRefusedError(f"a snooze lasts whole days, at least one (not {duration})")
    return now.date() + duration


def _invoice_for(session: Session, row: AlertRow, action: Action) -> Invoice:
    """The alert's invoice, if ``action`` is possible on the alert now."""
    refused = refusal(to_alert(row), action)
    if refused is not None:
        raise ActionRefusedError(refused)
    assert row.invoice_id is not None  # refusal() refuses invoice actions on account alerts
    return session.get_one(Invoice, row.invoice_id)


def _check_promise(invoice: Invoice, promised_date: date, amount: Decimal | None, today: date) -> None:
    if promised_date <= today:
        raise ActionRefusedError(f"a promise to pay needs a date after today ({today}), not {promised_date}")
    still_open = plain_amount(invoice.amount_open)
    if still_open <= 0:
        raise ActionRefusedError(f"invoice {invoice.number} has nothing left to pay")
    if amount is None:
        return
    if amount <= 0:
        raise ActionRefusedError(f"a promised amount must be more than zero, not {amount}")
    if amount > still_open:
        raise ActionRefusedError(
            f"the promised amount {amount} is more than the {still_open} {invoice.currency} "
            f"still open on invoice {invoice.number}"
        )
