"""The ``alerts`` step in the real cycle runner: a payment the source reports resolves its alerts."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.alerts.cycle_step import alerts_step
from agent.alerts.tables import Alert
from agent.cycle.housekeeping import close_settled_step
from agent.cycle.runner import run_cycle
from agent.db.database import Database
from agent.profile.tables import Invoice, Payment
from agent.settings import Settings
from tests.agent.alerts.factories import firing_invoice_alert, load_book
from tests.conftest import BOOK_DATE


def test_a_reported_payment_resolves_the_invoices_alerts_in_the_next_cycle(
    database: Database, settings: Settings, session: Session
) -> None:
    load_book(session)
    steps = [close_settled_step(settings), alerts_step(settings)]
    first = run_cycle(database=database, settings=settings, steps=steps)
    assert [(s.name, s.status) for s in first.steps] == [("close_settled", "ok"), ("alerts", "ok")]
    assert first.steps[1].counts["opened"] > 0
    target = firing_invoice_alert(session)
    invoice = session.get_one(Invoice, target.invoice_id)
    # A payment file reports the money but leaves the invoice's status to the cycle.
    session.add(
        Payment(
            invoice_id=invoice.id,
            account_id=invoice.account_id,
            source="test",
            external_id="wire-1",
            amount=invoice.amount - invoice.amount_paid,
            currency=invoice.currency,
            paid_on=BOOK_DATE,
        )
    )
    invoice.amount_paid = Decimal(invoice.amount)
    session.commit()
    second = run_cycle(database=database, settings=settings, steps=steps)
    assert second.steps[0].counts["closed"] == 1
    assert second.steps[1].counts["resolved"] >= 1
    session.expire_all()
    alerts = session.scalars(select(Alert).where(Alert.invoice_id == invoice.id)).all()
    assert {(a.state, a.resolution) for a in alerts} == {("resolved", "paid")}
    # Nothing changed since: the next cycle changes no alert (delivery timing aside).
    third = run_cycle(database=database, settings=settings, steps=steps)
    changes = ("opened", "reopened", "resumed", "updated", "resolved")
    assert {name: third.steps[1].counts[name] for name in changes} == dict.fromkeys(changes, 0)
