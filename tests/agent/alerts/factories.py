"""A realistic book in the database for alert tests, and helpers to act on it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent.alerts.convert import event_row, new_row
from agent.alerts.evaluate import EvaluationCounts, evaluate_alerts
from agent.alerts.tables import Alert, OutboxMessage
from agent.demo import DemoBook, build_demo_book
from agent.demo.load import load_demo_book
from agent.profile.tables import Account, Dispute, Invoice, Payment, Person
from agent.settings import Settings
from rules import Alert as LifecycleAlert
from rules import AlertEvent as LifecycleEvent
from rules import State
from rules.lifecycle import SYSTEM_ACTOR
from tests.conftest import BOOK_DATE

# The cycle runs on the book date, in the morning UTC.
CYCLE_START = datetime(BOOK_DATE.year, BOOK_DATE.month, BOOK_DATE.day, 9, tzinfo=UTC)


@lru_cache(maxsize=1)
def small_book() -> DemoBook:
    """The seeded demo book with 40 accounts (cached: tests must not mutate it)."""
    return build_demo_book(as_of=BOOK_DATE, accounts=40)


def load_book(session: Session) -> None:
    """Load the 40-account demo book and commit."""
    load_demo_book(session=session, book=small_book())
    session.commit()


def run_cycle(session: Session, settings: Settings, *, after: timedelta = timedelta()) -> EvaluationCounts:
    """One evaluation ``after`` the first cycle's start, committed."""
    counts = evaluate_alerts(session=session, settings=settings, now=CYCLE_START + after)
    session.commit()
    return counts


def outbox_size(session: Session) -> int:
    return int(session.scalar(select(func.count(OutboxMessage.id))) or 0)


def pay_in_full(session: Session, invoice_id: int) -> Invoice:
    """Record the payment of an invoice's open balance on the book date (committed)."""
    invoice = session.get_one(Invoice, invoice_id)
    balance = invoice.amount - invoice.amount_paid
    session.add(
        Payment(
            invoice_id=invoice.id,
            account_id=invoice.account_id,
            source="test",
            external_id=f"pay-{invoice.id}",
            amount=balance,
            currency=invoice.currency,
            paid_on=BOOK_DATE,
        )
    )
    invoice.amount_paid, invoice.paid_date, invoice.status = invoice.amount, BOOK_DATE, "paid"
    session.commit()
    return invoice


def firing_invoice_alert(session: Session) -> Alert:
    """A firing alert about one invoice with an open balance and no open dispute."""
    disputed = select(Dispute.invoice_id).where(Dispute.status == "open", Dispute.invoice_id.is_not(None))
    alert = session.scalar(
        select(Alert)
        .join(Invoice, Invoice.id == Alert.invoice_id)
        .where(
            Alert.state == "firing",
            Invoice.amount > Invoice.amount_paid + Decimal("0.01"),
            Invoice.id.not_in(disputed),
        )
        .order_by(Alert.id)
    )
    assert alert is not None, "the demo book should raise invoice alerts"
    return alert


def open_account_alert(session: Session) -> Alert:
    """An open alert about a whole account (no invoice)."""
    alert = session.scalar(
        select(Alert).where(Alert.invoice_id.is_(None), Alert.state != "resolved").order_by(Alert.id)
    )
    assert alert is not None, "the demo book should raise account alerts"
    return alert


def owner_of(session: Session, alert: Alert) -> Person:
    """The person who owns the alert's account."""
    owner = session.scalar(
        select(Person).join(Account, Account.owner_id == Person.id).where(Account.id == alert.account_id)
    )
    assert owner is not None
    return owner


def someone_else(session: Session, alert: Alert) -> Person:
    """A CSM who does not own the alert's account."""
    owner = owner_of(session, alert)
    other = session.scalar(
        select(Person).where(Person.role == "csm", Person.id != owner.id).order_by(Person.id)
    )
    assert other is not None
    return other


def person(session: Session, role: str) -> Person:
    """The demo's first person with ``role``."""
    found = session.scalar(select(Person).where(Person.role == role).order_by(Person.id))
    assert found is not None
    return found


def make_alert(
    session: Session,
    account: Account,
    *,
    rule: str,
    invoice: Invoice | None = None,
    opened_at: datetime = CYCLE_START,
    severity: str = "high",
) -> Alert:
    """A firing alert written as the engine writes one it opens (row and ``opened`` event)."""
    key = (rule, str(account.id), None if invoice is None else str(invoice.id))
    lifecycle = LifecycleAlert(key, State.FIRING, severity, f"{account.name}: {rule}", opened_at, opened_at)
    row = new_row(lifecycle)
    session.add(row)
    session.flush()
    session.add(event_row(row.id, LifecycleEvent(key, "opened", SYSTEM_ACTOR, opened_at, None, State.FIRING)))
    session.flush()
    return row
