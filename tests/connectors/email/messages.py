"""Realistic outgoing messages for the e-mail tests: a CSM's digest over two accounts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from connectors.core.protocols import (
    AccountSection,
    ActionLink,
    AlertLine,
    InvoiceLine,
    OutgoingMessage,
    Recipient,
)

NUDGE = "https://nudge.example.com"


def actions(alert_id: int) -> tuple[ActionLink, ...]:
    """The three actions an alert carries, as the delivery pipeline passes them."""
    return (
        ActionLink("acknowledge", "Acknowledge", f"{NUDGE}/l/ack-{alert_id}"),
        ActionLink("snooze", "Snooze 3 days", f"{NUDGE}/l/snooze-{alert_id}"),
        ActionLink("open", "Open in Nudge", f"{NUDGE}/accounts/7#alert-{alert_id}"),
    )


def northwind() -> AccountSection:
    """An account with one overdue invoice and its risk."""
    return AccountSection(
        account_id=7,
        name="Northwind Logistics",
        url=f"{NUDGE}/accounts/7",
        owner="Maya Chen",
        dso=58.4,
        terms_days=30,
        alerts=(
            AlertLine(
                alert_id=41,
                rule="overdue-high-value",
                severity="high",
                state="firing",
                message="Invoice INV-1001 is 12 days late",
                invoice=InvoiceLine(
                    number="INV-1001",
                    amount_open=Decimal("12500.00"),
                    currency="EUR",
                    due_date=date(2026, 11, 8),
                    days_past_due=12,
                ),
                p_late=0.72,
                reasons=("paid 4 of its last 5 invoices late", "DSO up 18 days in 3 months"),
                actions=actions(41),
            ),
        ),
    )


def contoso() -> AccountSection:
    """An account with an invoice coming due and an account-level alert."""
    return AccountSection(
        account_id=9,
        name="Contoso <Retail> & Sons",
        url=f"{NUDGE}/accounts/9",
        owner=None,
        dso=None,
        terms_days=45,
        alerts=(
            AlertLine(
                alert_id=52,
                rule="due-soon-risky",
                severity="medium",
                state="firing",
                message="Invoice C-77 falls due in 3 days and the customer usually pays late",
                invoice=InvoiceLine(
                    number="C-77",
                    amount_open=Decimal("3120.5"),
                    currency="GBP",
                    due_date=date(2026, 11, 23),
                    days_past_due=-3,
                ),
                p_late=0.61,
                reasons=("average 21 days late",),
                actions=actions(52),
            ),
            AlertLine(
                alert_id=53,
                rule="broken-promise",
                severity="high",
                state="firing",
                message="Promise to pay by 2026-11-15 was broken",
                actions=actions(53),
            ),
        ),
    )


def digest(key: str = "digest|maya|2026-11-20", address: str = "maya.chen@nudge.example") -> OutgoingMessage:
    """Maya's morning digest over both accounts."""
    return OutgoingMessage(
        key=key,
        channel="digest",
        kind="digest",
        recipient=Recipient(address=address, kind="person", name="Maya Chen", timezone="Europe/Paris"),
        sections=(northwind(), contoso()),
        nudge_url=NUDGE,
    )
