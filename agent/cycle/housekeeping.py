"""Housekeeping steps: settle fully paid invoices, then keep or break promises to pay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from agent.audit.service import record
from agent.db.types import utcnow
from agent.jobs.steps import Step, StepContext
from agent.profile.tables import Invoice, Payment, PaymentPromise
from agent.settings import Settings

ACTOR = "cycle"


def close_settled(ctx: StepContext) -> dict[str, int]:
    """Mark open invoices whose ``amount_paid`` covers ``amount`` as paid.

    Sources that report payments without flipping the status (a payment file, a partial
    payment topped up) would otherwise leave them open, overdue and alerting. The paid date
    is the last payment's date, else the book date (when the cycle first saw it settled).
    """
    # Credit notes (negative amounts) stay open: they are credit the customer has yet to use.
    settled = select(Invoice.id).where(
        Invoice.status == "open", Invoice.amount > 0, Invoice.amount_paid >= Invoice.amount
    )
    last_payment = dict(
        ctx.session.execute(
            select(Payment.invoice_id, func.max(Payment.paid_on))
            .where(Payment.invoice_id.in_(settled))
            .group_by(Payment.invoice_id)
        )
        .tuples()
        .all()
    )
    counts = {"closed": 0, "dated_from_payments": 0, "dated_as_of": 0}
    for invoice in ctx.session.scalars(select(Invoice).where(Invoice.id.in_(settled))):
        invoice.status = "paid"
        counts["closed"] += 1
        if invoice.paid_date is None:
            paid_on = last_payment.get(invoice.id)
            invoice.paid_date = paid_on or ctx.as_of
            counts["dated_from_payments" if paid_on else "dated_as_of"] += 1
        _audit(ctx, "invoice.settled", "invoice", invoice.id, paid_date=invoice.paid_date.isoformat())
    return counts


def settle_promises(ctx: StepContext) -> dict[str, int]:
    """Resolve open promises on an invoice: kept if paid by the promised date, else broken.

    Payments take days to arrive, so both tests allow ``NUDGE_PROMISE_GRACE_DAYS`` after the
    promised date: a promise is broken once that has passed with the invoice still open.
    Account-level promises (no invoice) are left for a person to judge.
    """
    rows = ctx.session.execute(
        select(PaymentPromise, Invoice)
        .join(Invoice, PaymentPromise.invoice_id == Invoice.id)
        .where(PaymentPromise.status == "open", Invoice.status != "void")
    ).tuples()
    grace = timedelta(days=ctx.settings.promise_grace_days)
    counts = {"kept": 0, "broken": 0}
    now = utcnow()
    for promise, invoice in rows:
        deadline = promise.promised_date + grace
        if invoice.status == "paid" and invoice.paid_date is not None:
            promise.status = "kept" if invoice.paid_date <= deadline else "broken"
        elif deadline < ctx.as_of:
            promise.status = "broken"
        else:
            continue
        promise.resolved_at = now
        counts[promise.status] += 1
        _audit(ctx, f"promise.{promise.status}", "payment_promise", promise.id, invoice_id=invoice.id)
    return counts


def _audit(ctx: StepContext, action: str, entity_type: str, entity_id: int, **detail: object) -> None:
    record(
        session=ctx.session,
        actor=ACTOR,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        detail={"as_of": ctx.as_of.isoformat(), **detail},
    )


def close_settled_step(_settings: Settings) -> Step:
    """The ``close_settled`` step."""
    return Step(name="close_settled", run=close_settled)


def settle_promises_step(_settings: Settings) -> Step:
    """The ``settle_promises`` step (after ``close_settled``, whose paid dates it reads)."""
    return Step(name="settle_promises", run=settle_promises, requires=("close_settled",))
