"""What happened to an alert last, in words, for messages that show the current state."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent.alerts.tables import Alert as AlertRow
from agent.alerts.tables import AlertEvent
from agent.profile.tables import Invoice, Person
from rules.lifecycle import PROMISE_REASON

# Events that change what a person should see; the engine's "opened" and "updated" do not.
SHOWN = frozenset(
    {"acknowledge", "snooze", "promise", "dispute", "close", "reopen", "resolved", "resumed", "reopened"}
)


def status_notes(
    *, session: Session, alerts: Collection[AlertRow], invoices: Mapping[int, Invoice]
) -> dict[int, str]:
    """The latest shown event of each alert, described: who did what, or how it resolved."""
    ids = [alert.id for alert in alerts]
    if not ids:
        return {}
    newest = (
        select(func.max(AlertEvent.id))
        .where(AlertEvent.alert_id.in_(ids), AlertEvent.kind.in_(SHOWN))
        .group_by(AlertEvent.alert_id)
    )
    events = list(session.scalars(select(AlertEvent).where(AlertEvent.id.in_(newest))))
    names = dict(
        session.execute(select(Person.email, Person.name).where(Person.email.in_({e.actor for e in events})))
        .tuples()
        .all()
    )
    by_alert = {alert.id: alert for alert in alerts}
    notes = {}
    for event in events:
        alert = by_alert[event.alert_id]
        invoice = invoices.get(alert.invoice_id) if alert.invoice_id is not None else None
        notes[event.alert_id] = describe(event, names.get(event.actor, event.actor), invoice)
    return notes


def describe(event: AlertEvent, who: str, invoice: Invoice | None) -> str:
    """``Acknowledged by Maya Chen in slack on 2026-12-01``, ``resolved: paid on 2026-11-30``..."""
    when = event.at.date().isoformat()
    where = f" in {event.channel}" if event.channel else ""
    detail = event.detail or {}
    if event.kind == "resolved":
        if detail.get("reason") == "paid":
            paid = invoice.paid_date if invoice is not None and invoice.paid_date else event.at.date()
            return f"resolved: paid on {paid.isoformat()}"
        return f"resolved: the condition cleared on {when}"
    if event.kind in ("resumed", "reopened"):
        broken = detail.get("snooze_reason") == PROMISE_REASON
        return f"back on {when}: the promise to pay was not kept" if broken else f"firing again since {when}"
    done = {
        "acknowledge": "Acknowledged",
        "snooze": f"Snoozed until {detail.get('until')}",
        "promise": f"Promise to pay by {detail.get('until')}"
        + (f" ({detail['amount']})" if detail.get("amount") else "")
        + " logged",
        "dispute": f"Marked disputed ({detail.get('reason')})",
        "close": "Closed",
        "reopen": "Reopened",
    }[event.kind]
    return f"{done} by {who}{where} on {when}"
