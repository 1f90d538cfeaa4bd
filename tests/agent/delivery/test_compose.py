"""Compose: outbox rows become one message, grouped per account, with what a person needs to act."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.alerts.tables import Alert, OutboxMessage
from agent.delivery.compose import Composer
from agent.delivery.links import open_in_nudge
from agent.delivery.tables import Delivery
from agent.metrics.history import snapshot_today
from agent.metrics.tables import MetricSnapshot
from agent.risk.tables import RiskScore
from agent.settings import Settings
from connectors.core.protocols import ActionLink, InvoiceLine, Recipient
from tests.conftest import BOOK_DATE
from tests.factories import make_account, make_invoice, make_person

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)


def alert(session: Session, account_id: int, invoice_id: int | None, rule: str, severity: str) -> Alert:
    row = Alert(
        identity=f"{rule}|{account_id}|{invoice_id or ''}",
        rule=rule,
        account_id=account_id,
        invoice_id=invoice_id,
        severity=severity,
        message=f"{rule} on account {account_id}",
        labels={"account": str(account_id)},
    )
    session.add(row)
    session.flush()
    return row


def outbox_row(key: str, receiver: str, alerts: list[Alert]) -> OutboxMessage:
    payload = {
        "kind": "alerts",
        "recipient_kind": "person",
        "person": receiver,
        "reason": "first",
        "delivery": "now",
        "send_at": NOW.isoformat(),
        "alerts": [{"id": a.id, "account_id": a.account_id} for a in alerts],
    }
    return OutboxMessage(
        dedup_key=key,
        receiver=receiver,
        channel="email",
        payload=payload,
        status="batched",
        next_attempt_at=NOW,
    )


def test_a_message_groups_alerts_per_account_with_invoice_risk_and_links(session: Session) -> None:
    maya = make_person(session, "maya.chen@acme.test", time_zone="Europe/Madrid", slack_id="U42")
    northwind = make_account(session, "Northwind", maya, default_terms_days=30)
    contoso = make_account(session, "Contoso", maya)
    late = make_invoice(session, northwind, "INV-7", "12500.00", issued=date(2026, 9, 1), paid="2500.00")
    session.add(
        RiskScore(
            invoice_id=late.id,
            model_version="v1",
            as_of=BOOK_DATE,
            p_late=0.81234,
            expected_days_late=12.0,
            expected_pay_date=BOOK_DATE + timedelta(days=12),
            reasons=["pays 20 days late on average", "invoice is 50 days past due"],
        )
    )
    overdue = alert(session, northwind.id, late.id, "overdue-high-value", "high")
    spike = alert(session, northwind.id, None, "risk-spike", "critical")
    dso = alert(session, contoso.id, None, "dso-worsening", "medium")
    rows = [outbox_row("a", maya.email, [overdue, dso]), outbox_row("b", maya.email, [spike])]
    delivery = Delivery(key="k" * 64, channel="email", recipient=maya.email, kind="digest")
    session.add_all([*rows, delivery])
    session.flush()

    composer = Composer(
        session=session,
        base_url="https://nudge.acme.test",
        links=open_in_nudge("https://nudge.acme.test"),
        today=BOOK_DATE,
    )
    message = composer.compose(delivery, rows, [overdue.id, spike.id, dso.id])

    assert (message.key, message.channel, message.kind, message.nudge_url) == (
        "k" * 64,
        "email",
        "digest",
        "https://nudge.acme.test",
    )
    assert message.recipient == Recipient(
        address=maya.email, kind="person", name="Maya Chen", timezone="Europe/Madrid", slack_id="U42"
    )
    assert [(s.name, s.url, s.owner, s.terms_days) for s in message.sections] == [
        ("Contoso", f"https://nudge.acme.test/accounts/{contoso.id}", "Maya Chen", None),
        ("Northwind", f"https://nudge.acme.test/accounts/{northwind.id}", "Maya Chen", 30),
    ]
    contoso_lines, northwind_lines = (s.alerts for s in message.sections)
    assert [line.rule for line in northwind_lines] == ["risk-spike", "overdue-high-value"]  # critical first
    assert [line.rule for line in contoso_lines] == ["dso-worsening"]
    line = northwind_lines[1]
    assert line.invoice == InvoiceLine(
        number="INV-7",
        amount_open=Decimal("10000.00"),
        currency="USD",
        due_date=date(2026, 10, 1),
        days_past_due=50,
    )
    assert (line.p_late, line.reasons) == (
        0.8123,
        ("pays 20 days late on average", "invoice is 50 days past due"),
    )
    assert line.actions == (
        ActionLink(
            action="open", label="Open in Nudge", url=f"https://nudge.acme.test/accounts/{northwind.id}"
        ),
    )
    assert (northwind_lines[0].invoice, northwind_lines[0].p_late) == (None, None)


def test_each_account_shows_the_dso_todays_cycle_stored_beside_its_terms(
    session: Session, settings: Settings
) -> None:
    maya = make_person(session, "maya.chen@acme.test")
    northwind = make_account(session, "Northwind", maya, default_terms_days=30)
    contoso = make_account(session, "Contoso", maya)
    invoice = make_invoice(session, northwind, "INV-8", "9000.00", issued=BOOK_DATE - timedelta(days=20))
    snapshot_today(session=session, settings=settings)
    late = alert(session, northwind.id, invoice.id, "overdue-high-value", "high")
    quiet = alert(session, contoso.id, None, "dso-worsening", "medium")
    rows = [outbox_row("a", maya.email, [late, quiet])]
    delivery = Delivery(key="d" * 64, channel="email", recipient=maya.email, kind="alerts")
    session.add_all([*rows, delivery])
    session.flush()

    stored = session.scalar(
        select(MetricSnapshot.dso).where(
            MetricSnapshot.as_of == BOOK_DATE,
            MetricSnapshot.dimension == "customer",
            MetricSnapshot.group_key == str(northwind.id),
            MetricSnapshot.period_days == 30,
        )
    )
    assert stored is not None
    composer = Composer(
        session=session,
        base_url="https://nudge.acme.test",
        links=open_in_nudge("https://nudge.acme.test"),
        today=BOOK_DATE,
    )
    sections = composer.compose(delivery, rows, [late.id, quiet.id]).sections
    assert [(s.name, s.dso, s.terms_days) for s in sections] == [
        ("Contoso", None, None),
        ("Northwind", stored, 30),
    ]
