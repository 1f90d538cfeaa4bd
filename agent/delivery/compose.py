"""Compose: a message's outbox rows become one :class:`OutgoingMessage`, grouped per account.

The recipient comes from the people table (name, time zone, Slack id); each alert line
carries its invoice (number, open amount and currency, due date, days past due), the
model's latest p_late and reasons, and the actions the link provider offers; each account
its DSO from the metrics snapshot today's cycle stored, beside its terms.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.alerts.service import allowed_actions
from agent.alerts.tables import Alert as AlertRow
from agent.alerts.tables import OutboxMessage
from agent.delivery.links import LinkProvider, account_url
from agent.delivery.notes import status_notes
from agent.delivery.refresh import edits_previous, last_sent
from agent.delivery.tables import Delivery
from agent.metrics.history import customer_snapshots
from agent.profile.tables import Account, Invoice, Person
from agent.risk.tables import RiskScore
from connectors.core.protocols import (
    AccountSection,
    AlertLine,
    InvoiceLine,
    OutgoingMessage,
    Recipient,
)

SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


@dataclass(frozen=True)
class Composer:
    """Builds messages as of ``today`` with links from ``links``, pointing at ``base_url``."""

    session: Session
    base_url: str
    links: LinkProvider
    today: date

    def compose(
        self, delivery: Delivery, rows: Sequence[OutboxMessage], alert_ids: Collection[int]
    ) -> OutgoingMessage:
        """The message of ``delivery`` about ``alert_ids`` (the rows' alerts that survived muting).

        A message that replaces its account group's last one (an update, or new alerts of
        the group) carries that message's vendor id as ``previous_ref`` and its alerts too.
        """
        recipient = self.recipient(delivery, rows)
        previous = last_sent(self.session, delivery) if edits_previous(delivery, rows) else None
        shown = set(alert_ids) | set(previous.alert_ids if previous is not None else ())
        alerts = self._alerts(shown)
        return OutgoingMessage(
            key=delivery.key,
            channel=delivery.channel,
            kind=delivery.kind,
            recipient=recipient,
            sections=self._sections(alerts, recipient),
            nudge_url=self.base_url,
            previous_ref=None if previous is None else previous.vendor_ref,
            notes=tuple(note for row in rows if (note := reminder_note(row)) is not None),
            attempt=delivery.attempts + 1,
        )

    def sections(self, alert_ids: Collection[int], recipient: Recipient) -> tuple[AccountSection, ...]:
        """The account groups of ``alert_ids`` as a message would show them (App Home, cards)."""
        return self._sections(self._alerts(alert_ids), recipient)

    def recipient(self, delivery: Delivery, rows: Sequence[OutboxMessage]) -> Recipient:
        """Who the message goes to, completed from the people table."""
        kind = recipient_kind(rows[0]) if rows else "person"
        person = self.session.scalar(select(Person).where(Person.email == delivery.recipient))
        if person is None:
            return Recipient(address=delivery.recipient, kind=kind)
        return Recipient(
            address=delivery.recipient,
            kind=kind,
            name=person.name,
            timezone=person.time_zone or "UTC",
            slack_id=person.slack_id,
        )

    def _alerts(self, alert_ids: Collection[int]) -> list[AlertRow]:
        rows = self.session.scalars(select(AlertRow).where(AlertRow.id.in_(list(alert_ids))))
        return sorted(rows, key=lambda a: (SEVERITY_RANK.get(a.severity, 9), a.id))

    def _sections(self, alerts: list[AlertRow], recipient: Recipient) -> tuple[AccountSection, ...]:
        accounts = {
            account.id: account
            for account in self.session.scalars(
                select(Account).where(Account.id.in_({a.account_id for a in alerts}))
            )
        }
        invoice_ids = {a.invoice_id for a in alerts if a.invoice_id is not None}
        invoices = {i.id: i for i in self.session.scalars(select(Invoice).where(Invoice.id.in_(invoice_ids)))}
        risks = {
            r.invoice_id: r
            for r in self.session.scalars(
                select(RiskScore).where(RiskScore.latest.is_(True), RiskScore.invoice_id.in_(invoice_ids))
            )
        }
        notes = status_notes(session=self.session, alerts=alerts, invoices=invoices)
        lines: dict[int, list[AlertLine]] = {}
        for alert in alerts:
            invoice = invoices.get(alert.invoice_id) if alert.invoice_id is not None else None
            risk = risks.get(alert.invoice_id) if alert.invoice_id is not None else None
            line = self._line(alert, invoice, risk, recipient, notes.get(alert.id))
            lines.setdefault(alert.account_id, []).append(line)
        ordered = sorted(lines, key=lambda account_id: (accounts[account_id].name, account_id))
        dso = self._stored_dso(ordered)
        return tuple(
            self._section(accounts[account_id], lines[account_id], dso.get(account_id))
            for account_id in ordered
        )

    def _stored_dso(self, account_ids: list[int]) -> dict[int, float]:
        """Each account's 30-day DSO from the snapshot today's cycle stored (none: not shown)."""
        stored = customer_snapshots(session=self.session, account_ids=account_ids, as_of=self.today)
        return {account_id: row.dso for account_id, row in stored.items() if row.dso is not None}

    def _section(self, account: Account, lines: list[AlertLine], dso: float | None) -> AccountSection:
        return AccountSection(
            account_id=account.id,
            name=account.name,
            url=account_url(self.base_url, account.id),
            owner=account.owner.name if account.owner else None,
            dso=dso,
            terms_days=account.default_terms_days,
            alerts=tuple(lines),
        )

    def _line(
        self,
        alert: AlertRow,
        invoice: Invoice | None,
        risk: RiskScore | None,
        recipient: Recipient,
        note: str | None,
    ) -> AlertLine:
        return AlertLine(
            alert_id=alert.id,
            rule=alert.rule,
            severity=alert.severity,
            state=alert.state,
            message=alert.message,
            invoice=None if invoice is None else self._invoice(invoice),
            p_late=None if risk is None else round(risk.p_late, 4),
            reasons=tuple(risk.reasons) if risk is not None else (),
            actions=self.links(alert, recipient),
            allowed=allowed_actions(alert),
            status_note=note,
        )

    def _invoice(self, invoice: Invoice) -> InvoiceLine:
        return InvoiceLine(
            number=invoice.number,
            amount_open=Decimal(invoice.amount) - Decimal(invoice.amount_paid),
            currency=invoice.currency,
            due_date=invoice.due_date,
            days_past_due=(self.today - invoice.due_date).days,
        )


def recipient_kind(row: OutboxMessage) -> str:
    """person | slack_channel | crm_task | email, as routing named the recipient."""
    payload = row.payload
    if kind := payload.get("recipient_kind"):
        return str(kind)
    return "person" if payload.get("person") or payload.get("kind") == "silence_expiring" else row.channel


def row_alert_ids(row: OutboxMessage) -> list[int]:
    """The alerts an outbox row carries."""
    return [int(alert["id"]) for alert in row.payload.get("alerts", [])]


def reminder_note(row: OutboxMessage) -> str | None:
    """The line telling a silence's creator that it ends soon, for such rows."""
    payload = row.payload
    if payload.get("kind") != "silence_expiring":
        return None
    matchers = ", ".join(payload.get("matchers", []))
    return f"Your silence {matchers} ({payload.get('reason', '')}) ends at {payload.get('ends_at')}."
