"""Housekeeping steps on a real book: settled invoices closed, promises kept or broken."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.audit.tables import AuditEntry
from agent.cycle.housekeeping import close_settled_step, settle_promises_step
from agent.cycle.runner import run_cycle
from agent.db.database import Database
from agent.profile.tables import Invoice, Payment, PaymentPromise
from agent.settings import Settings
from tests.conftest import BOOK_DATE
from tests.factories import make_account, make_invoice


def settle(session: Session, invoice: Invoice, *payments: tuple[str, date]) -> None:
    """Record payments on ``invoice`` the way a payment feed does: amount_paid only."""
    for index, (amount, paid_on) in enumerate(payments):
        session.add(
            Payment(
                invoice=invoice,
                account=invoice.account,
                source="test",
                external_id=f"{invoice.number}:late-{index}",
                amount=Decimal(amount),
                currency=invoice.currency,
                paid_on=paid_on,
            )
        )
        invoice.amount_paid += Decimal(amount)


def test_close_settled_marks_covered_invoices_paid_on_their_last_payment(
    database: Database, settings: Settings, session: Session
) -> None:
    account = make_account(session, "Northwind Logistics")
    topped_up = make_invoice(session, account, "N-1", "1000.00", issued=date(2026, 9, 1), paid="400.00")
    settle(session, topped_up, ("600.00", date(2026, 10, 28)))
    overpaid = make_invoice(session, account, "N-2", "50.00", issued=date(2026, 10, 1))
    overpaid.amount_paid = Decimal("50.01")  # no payment rows: dated when first seen settled
    make_invoice(session, account, "N-3", "900.00", issued=date(2026, 10, 5), paid="899.99")
    make_invoice(
        session, account, "N-4", "75.00", issued=date(2026, 8, 1), paid="75.00", paid_on=date(2026, 8, 20)
    )
    void = make_invoice(session, account, "N-5", "10.00", issued=date(2026, 8, 1))
    void.status, void.amount_paid = "void", Decimal("10.00")
    session.commit()

    report = run_cycle(database=database, settings=settings, steps=[close_settled_step(settings)])

    assert report.steps[0].counts == {"closed": 2, "dated_from_payments": 1, "dated_as_of": 1}
    session.expire_all()
    states = {i.number: (i.status, i.paid_date) for i in session.scalars(select(Invoice))}
    assert states == {
        "N-1": ("paid", date(2026, 10, 28)),
        "N-2": ("paid", BOOK_DATE),
        "N-3": ("open", None),
        "N-4": ("paid", date(2026, 8, 20)),
        "N-5": ("void", None),
    }
    audit = session.execute(select(AuditEntry.actor, AuditEntry.action, AuditEntry.detail)).tuples().all()
    assert sorted(audit, key=lambda entry: entry[2]["paid_date"]) == [
        ("cycle", "invoice.settled", {"as_of": "2026-11-20", "paid_date": "2026-10-28"}),
        ("cycle", "invoice.settled", {"as_of": "2026-11-20", "paid_date": "2026-11-20"}),
    ]
    again = run_cycle(database=database, settings=settings, steps=[close_settled_step(settings)])
    assert again.steps[0].counts["closed"] == 0


def test_promises_are_kept_when_paid_within_grace_and_broken_when_not(
    database: Database, settings: Settings, session: Session
) -> None:
    account = make_account(session, "Contoso")
    issued = date(2026, 9, 1)
    invoices = {label: make_invoice(session, account, label, "500.00", issued=issued) for label in "ABCDEFG"}
    invoices["G"].status = "void"
    settle(session, invoices["A"], ("500.00", date(2026, 11, 10)))
    settle(session, invoices["B"], ("500.00", date(2026, 11, 15)))  # 3 days after the promise
    settle(session, invoices["C"], ("500.00", date(2026, 11, 16)))  # 4 days after
    promised = {
        "A": date(2026, 11, 12),  # paid before
        "B": date(2026, 11, 12),  # paid within the 3-day grace
        "C": date(2026, 11, 12),  # paid after the grace
        "D": date(2026, 11, 16),  # open, grace ended yesterday
        "E": date(2026, 11, 17),  # open, grace ends today
        "F": BOOK_DATE,  # open, due today
        "G": date(2026, 11, 1),  # on an invoice voided since: nothing to keep or break
    }
    promises = {
        label: PaymentPromise(account_id=account.id, invoice_id=invoices[label].id, promised_date=day)
        for label, day in promised.items()
    }
    promises["account-level"] = PaymentPromise(account_id=account.id, promised_date=date(2026, 11, 1))
    session.add_all(promises.values())
    session.commit()

    steps = [close_settled_step(settings), settle_promises_step(settings)]
    report = run_cycle(database=database, settings=settings, steps=steps)

    assert report.steps[1].counts == {"kept": 2, "broken": 2}
    session.expire_all()
    assert {label: p.status for label, p in promises.items()} == {
        "A": "kept",
        "B": "kept",
        "C": "broken",
        "D": "broken",
        "E": "open",
        "F": "open",
        "G": "open",
        "account-level": "open",
    }
    assert promises["A"].resolved_at is not None
    assert promises["E"].resolved_at is None
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity_type == "payment_promise"))
    assert sorted(actions) == ["promise.broken", "promise.broken", "promise.kept", "promise.kept"]


def test_open_credit_notes_are_not_closed(database: Database, settings: Settings, session: Session) -> None:
    account = make_account(session, "Fabrikam")
    make_invoice(session, account, "CN-1", "-250.00", issued=date(2026, 11, 11), terms_days=0)
    session.commit()

    report = run_cycle(database=database, settings=settings, steps=[close_settled_step(settings)])

    assert report.steps[0].counts["closed"] == 0
    session.expire_all()
    assert session.scalar(select(Invoice.status)) == "open"
