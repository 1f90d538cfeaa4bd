"""Apply billing records: invoices (status, dates, terms), payments and credit notes."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from agent.profile.resolution import Resolver
from agent.profile.tables import Account, Invoice
from agent.profile.writer import Change, ProfileWriter
from connectors.core.records import CreditNoteRecord, InvoiceRecord, PaymentRecord


class UnknownCustomerError(LookupError):
    """A billing record names a customer the profile has not seen."""


class Billing:
    """Invoice and payment upserts for one source, with an invoice lookup by external id."""

    def __init__(self, session: Session, writer: ProfileWriter, resolver: Resolver, today: date) -> None:
        self.session = session
        self.writer = writer
        self.resolver = resolver
        self.today = today

    def invoice(self, record: InvoiceRecord) -> bool:
        """Create or update the invoice; deleted or voided ones become ``void``."""
        existing = self._invoice(record.external_id)
        if record.status == "draft" and existing is None:
            return False  # not billed yet
        account = self._account(record.customer_external_id, existing)
        _, change = self.writer.invoice(
            account=account, external_id=record.external_id, **_invoice_values(record, self.today)
        )
        return change is not Change.UNCHANGED

    def payment(self, record: PaymentRecord) -> bool:
        """Cash received against an invoice."""
        if record.deleted:
            return self.writer.remove_payment(record.external_id)
        paid_on = record.paid_at.date() if record.paid_at else self.today
        return self._pay(
            record.external_id,
            record.invoice_external_id,
            record.customer_external_id,
            kind="payment",
            amount=record.amount,
            currency=record.currency,
            paid_on=paid_on,
        )

    def credit_note(self, record: CreditNoteRecord) -> bool:
        """A credit note applied to its invoice; a voided one is withdrawn."""
        if record.deleted or record.voided:
            return self.writer.remove_payment(record.external_id)
        paid_on = record.issued_at.date() if record.issued_at else self.today
        return self._pay(
            record.external_id,
            record.invoice_external_id,
            record.customer_external_id,
            kind="credit_note",
            amount=record.amount,
            currency=record.currency,
            paid_on=paid_on,
        )

    def _pay(self, external_id: str, invoice_id: str | None, customer_id: str | None, **values: Any) -> bool:
        invoice = self._invoice(invoice_id) if invoice_id else None
        account = invoice.account if invoice is not None else self._account(customer_id, None)
        _, change = self.writer.payment(account=account, invoice=invoice, external_id=external_id, **values)
        return change is not Change.UNCHANGED

    def _account(self, customer_id: str | None, existing: Invoice | None) -> Account:
        account = self.resolver.linked(self.writer.source, customer_id)
        if account is None and existing is not None:
            return existing.account
        if account is None:
            raise UnknownCustomerError(f"{self.writer.source} customer {customer_id!r} is not in the profile")
        return account

    def _invoice(self, external_id: str) -> Invoice | None:
        return self.writer.find_invoice(external_id)


def _invoice_values(record: InvoiceRecord, today: date) -> dict[str, Any]:
    issue = record.issue_date or today
    due = record.due_date or issue
    void = record.deleted or record.voided
    paid = record.status == "paid" and not void
    return {
        "number": record.number or record.external_id,
        "currency": record.currency,
        "amount": record.total,
        "amount_paid": record.amount_paid,
        "issue_date": issue,
        "due_date": due,
        "paid_date": (record.paid_at.date() if record.paid_at else due) if paid else None,
        "terms_days": max(0, (due - issue).days),
        "status": "void" if void else "paid" if paid else "open",
    }
