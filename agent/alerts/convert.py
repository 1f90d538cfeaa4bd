"""Map alert rows to the rule engine's lifecycle objects and back.

The engine keys alerts by ``(rule, account id, invoice id or None)`` with the ids as text
(the ledger's ``customer_id`` / ``invoice_id`` are ``str(accounts.id)`` / ``str(invoices.id)``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from agent.alerts.tables import Alert as AlertRow
from agent.alerts.tables import AlertEvent as AlertEventRow
from rules import Alert, AlertEvent, AlertKey, State, alert_identity


def key_of(row: AlertRow) -> AlertKey:
    """The engine's key for a stored alert."""
    invoice = None if row.invoice_id is None else str(row.invoice_id)
    return (row.rule, str(row.account_id), invoice)


def to_day(moment: datetime | None) -> date | None:
    """A snooze end stored as midnight UTC, read back as a day."""
    return None if moment is None else moment.astimezone(UTC).date()


def to_instant(day: date | None) -> datetime | None:
    """A snooze end day stored as midnight UTC."""
    return None if day is None else datetime.combine(day, time(), tzinfo=UTC)


def to_alert(row: AlertRow) -> Alert:
    """The lifecycle view of a stored alert."""
    return Alert(
        key=key_of(row),
        state=State(row.state),
        severity=row.severity,
        message=row.message,
        opened_at=row.first_fired_at,
        updated_at=row.updated_at,
        labels={str(k): str(v) for k, v in (row.labels or {}).items()},
        snoozed_until=to_day(row.snoozed_until),
        snooze_reason=row.snooze_reason,
        resolved_reason=row.resolution,
        condition_active=row.condition_active,
    )


def new_row(alert: Alert) -> AlertRow:
    """A row for an alert the engine just opened."""
    rule, account, invoice = alert.key
    row = AlertRow(
        identity=alert_identity(alert.key),
        rule=rule,
        account_id=int(account),
        invoice_id=None if invoice is None else int(invoice),
        first_fired_at=alert.opened_at,
        last_fired_at=alert.opened_at,
    )
    write(row, alert)
    return row


def write(row: AlertRow, alert: Alert) -> None:
    """Copy the lifecycle state onto a row."""
    row.state = alert.state.value
    row.severity = alert.severity
    row.message = alert.message
    row.labels = dict(alert.labels)
    row.first_fired_at = alert.opened_at
    row.updated_at = alert.updated_at
    row.snoozed_until = to_instant(alert.snoozed_until)
    row.snooze_reason = alert.snooze_reason
    row.resolution = alert.resolved_reason
    row.condition_active = alert.condition_active
    row.resolved_at = alert.updated_at if alert.state == State.RESOLVED else None


def event_row(alert_id: int, event: AlertEvent, *, channel: str | None = None) -> AlertEventRow:
    """A row recording one change (``channel``: where a person acted; None for the engine's own)."""
    return AlertEventRow(
        alert_id=alert_id,
        channel=channel,
        at=event.at,
        actor=event.actor,
        kind=event.kind,
        from_state=None if event.from_state is None else event.from_state.value,
        to_state=event.to_state.value,
        detail=dict(event.detail),
    )
