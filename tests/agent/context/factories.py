"""Two CSMs' accounts as the sources know them: CRM and billing ids, contacts, deals, invoices, scores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from agent.alerts.tables import Alert
from agent.profile.tables import (
    Account,
    AccountDomain,
    AccountExternalId,
    Contact,
    Dispute,
    Invoice,
    PaymentPromise,
    Person,
)
from agent.risk.tables import RiskScore
from agent.sync.tables import CrmDeal
from tests.agent.alerts.factories import make_alert
from tests.factories import make_account, make_invoice, make_person

SCORED_AT = datetime(2026, 11, 20, 6, tzinfo=UTC)


@dataclass
class ContextBook:
    """Acme (Maya's) with everything a card shows; Globex (Leo's) to test scoping."""

    maya: Person
    leo: Person
    manager: Person
    acme: Account
    globex: Account
    overdue: Invoice
    current: Invoice
    invoice_alert: Alert
    account_alert: Alert
    promise: PaymentPromise
    dispute: Dispute


def link(session: Session, account: Account, source: str, external_id: str) -> None:
    session.add(AccountExternalId(account_id=account.id, source=source, external_id=external_id))


def add_contact(session: Session, account: Account, source: str, external_id: str, email: str) -> None:
    name = email.split("@", 1)[0].replace(".", " ").title()
    session.add(
        Contact(account_id=account.id, source=source, external_id=external_id, name=name, email=email)
    )


def add_deal(session: Session, account: Account, source: str, external_id: str) -> None:
    session.add(CrmDeal(source=source, external_id=external_id, account_id=account.id, name="Renewal 2027"))


def score(session: Session, invoice: Invoice, p_late: float, days: float, reasons: list[str]) -> None:
    """The model's latest score of an open invoice."""
    session.add(
        RiskScore(
            invoice_id=invoice.id,
            model_version="2026-11-19T06-00",
            as_of=date(2026, 11, 20),
            scored_at=SCORED_AT,
            p_late=p_late,
            expected_days_late=days,
            expected_pay_date=date(2026, 12, 24),
            reasons=reasons,
            latest=True,
        )
    )


def build_context_book(session: Session) -> ContextBook:
    """Acme: an overdue invoice partly paid, a current one, a paid one; alerts, a promise, a dispute."""
    manager = make_person(session, "ana.silva@nudge.example", role="manager")
    maya = make_person(session, "maya.chen@nudge.example", manager_id=manager.id)
    leo = make_person(session, "leo.park@nudge.example")
    acme = make_account(
        session,
        "Acme Corp",
        owner=maya,
        primary_domain="acme.com",
        segment="enterprise",
        terms_label="Net 30",
        default_terms_days=30,
    )
    globex = make_account(session, "Globex", owner=leo, primary_domain="globex.com")
    session.add_all(
        [
            AccountDomain(account_id=acme.id, domain="acme.com"),
            AccountDomain(account_id=acme.id, domain="acme.io"),
        ]
    )
    session.add(AccountDomain(account_id=globex.id, domain="globex.com"))
    link(session, acme, "hubspot", "1001")
    link(session, acme, "salesforce", "001Dn00000AcmeAAA")
    link(session, acme, "stripe", "cus_Acme42")
    link(session, globex, "hubspot", "2002")
    add_contact(session, acme, "hubspot", "501", "Jane.Doe@Acme.com")
    add_contact(session, acme, "salesforce", "003Dn00000JaneAAA", "jane.doe@acme.com")
    add_contact(session, globex, "hubspot", "601", "hank@globex.com")
    add_deal(session, acme, "hubspot", "9001")
    add_deal(session, acme, "salesforce", "006Dn00000RenewAAA")
    overdue = make_invoice(
        session, acme, "INV-1", "2000.00", issued=date(2026, 9, 1), paid="799.50", paid_on=date(2026, 10, 15)
    )
    current = make_invoice(session, acme, "INV-2", "3000.00", issued=date(2026, 11, 10))
    make_invoice(
        session, acme, "INV-0", "500.00", issued=date(2026, 8, 1), paid="500.00", paid_on=date(2026, 8, 30)
    )
    make_invoice(session, globex, "G-1", "900.00", issued=date(2026, 9, 1))
    score(session, overdue, 0.82, 21.5, ["50 days past due", "paid late 3 of the last 4 times"])
    score(session, current, 0.31, 2.0, ["new invoice"])
    invoice_alert = make_alert(session, acme, rule="overdue-high-value", invoice=overdue)
    account_alert = make_alert(session, acme, rule="dso-worsening", severity="medium")
    closed = make_alert(session, acme, rule="broken-promise", invoice=current)
    closed.state, closed.resolution = "resolved", "closed"
    promise = PaymentPromise(
        account_id=acme.id, invoice_id=overdue.id, promised_date=date(2026, 11, 27), amount=Decimal("1200.50")
    )
    kept = PaymentPromise(account_id=acme.id, invoice_id=None, promised_date=date(2026, 9, 1), status="kept")
    dispute = Dispute(
        account_id=acme.id,
        invoice_id=current.id,
        reason="pricing",
        opened_at=datetime(2026, 11, 18, tzinfo=UTC),
    )
    session.add_all([promise, kept, dispute])
    session.commit()
    return ContextBook(
        maya, leo, manager, acme, globex, overdue, current, invoice_alert, account_alert, promise, dispute
    )
