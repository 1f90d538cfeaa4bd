"""People acting on alerts, and reading them, scoped to the accounts they may see (the caller commits).

Every change goes through the engine's lifecycle (:func:`rules.apply_action`), is stored
as an :class:`AlertEvent` with who and when, and as an audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from agent.alerts.convert import event_row, to_alert, write
from agent.alerts.tables import Alert as AlertRow
from agent.alerts.tables import AlertEvent as AlertEventRow
from agent.audit.service import record
from agent.auth.service import Principal, visible_accounts
from agent.profile.tables import Account, Invoice, PaymentPromise, Person
from rules import Action, AlertEvent, apply_action, snooze_until_promise


class AlertNotFoundError(LookupError):
    """No such alert among those the caller may see."""


@dataclass(frozen=True)
class AlertListing:
    """An alert with the names people read next to it."""

    alert: AlertRow
    account_name: str
    invoice_number: str | None
    owner_name: str | None


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


def act(
    *,
    session: Session,
    principal: Principal,
    alert_id: int,
    action: Action,
    now: datetime,
    until: date | None = None,
    reason: str | None = None,
) -> AlertRow:
    """Acknowledge, snooze or close; :class:`rules.TransitionError` if the state forbids it."""
    row = get_alert(session=session, principal=principal, alert_id=alert_id).alert
    alert, event = apply_action(
        to_alert(row), action, actor=principal.email, at=now, until=until, reason=reason
    )
    write(row, alert)
    _record(session, row, event)
    return row


def promise_to_pay(
    *,
    session: Session,
    principal: Principal,
    alert_id: int,
    promised_date: date,
    now: datetime,
    amount: Decimal | None = None,
    note: str | None = None,
) -> PaymentPromise:
    """Log the customer's promise to pay and snooze the alert until the promised date."""
    row = get_alert(session=session, principal=principal, alert_id=alert_id).alert
    alert, event = snooze_until_promise(
        to_alert(row), promise_date=promised_date, actor=principal.email, at=now
    )
    promise = PaymentPromise(
        account_id=row.account_id,
        invoice_id=row.invoice_id,
        promised_date=promised_date,
        amount=amount,
        note=note,
        created_by_id=principal.person_id,
        created_at=now,
    )
    session.add(promise)
    session.flush()
    write(row, alert)
    event.detail["promise_id"] = promise.id
    _record(session, row, event)
    return promise


def _record(session: Session, row: AlertRow, event: AlertEvent) -> None:
    session.add(event_row(row.id, event))
    before = None if event.from_state is None else event.from_state.value
    detail = {"from": before, "to": event.to_state.value, **event.detail}
    record(
        session=session,
        actor=event.actor,
        action=f"alert.{event.kind}",
        entity_type="alert",
        entity_id=row.id,
        detail=detail,
    )
