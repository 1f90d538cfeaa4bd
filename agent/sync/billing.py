"""Apply billing records: invoices (status, dates, terms), payments and credit notes.

New invoices and payments are buffered per page and written with one bulk insert each
(thousands per full sync); the few updates of an incremental sync go through the ORM.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from agent.profile.resolution import Resolver
from agent.profile.tables import Account, Invoice, Payment
from connectors.core.records import CreditNoteRecord, InvoiceRecord, PaymentRecord

INVOICES = Invoice.metadata.tables["invoices"]
PAYMENTS = Payment.metadata.tables["payments"]


class UnknownCustomerError(LookupError):
    """A billing record names a customer the profile has not seen."""


class Billing:
    """Invoice and payment upserts for one source, by external id."""

    def __init__(self, session: Session, source: str, resolver: Resolver, today: date) -> None:
        self.session, self.source, self.resolver, self.today = session, source, resolver, today
        invoices = session.execute(
            select(Invoice.external_id, Invoice.id, Invoice.account_id).where(Invoice.source == source)
        )
        self._invoices: dict[str, tuple[int, int]] = {ext: (i, a) for ext, i, a in invoices}
        payments = session.execute(select(Payment.external_id, Payment.id).where(Payment.source == source))
        self._payments: dict[str, int] = dict(payments.tuples().all())
        self._new_invoices: dict[str, dict[str, Any]] = {}
        self._new_payments: dict[str, dict[str, Any]] = {}

    def invoice(self, record: InvoiceRecord) -> bool:
        """Create or update the invoice; deleted or voided ones become ``void``."""
        ext = record.external_id
        known = self._invoices.get(ext)
        if record.status == "draft" and known is None and ext not in self._new_invoices:
            return False  # not billed yet
        account = self._account(record.customer_external_id, known[1] if known else None)
        values = _invoice_values(record, self.today)
        if known is None:
            self._new_invoices[ext] = {
                "source": self.source,
                "external_id": ext,
                "_account": account,
                **values,
            }
            return True
        invoice = self.session.get(Invoice, known[0])
        assert invoice is not None
        if account is not None and account.id != known[1]:
            values["account_id"] = account.id
            self._invoices[ext] = (known[0], account.id)
        return _set(invoice, values)

    def payment(self, record: PaymentRecord) -> bool:
        """Cash received against an invoice."""
        if record.deleted:
            return self._remove(record.external_id)
        paid_on = record.paid_at.date() if record.paid_at else self.today
        values = {"kind": "payment", "amount": record.amount, "currency": record.currency, "paid_on": paid_on}
        return self._pay(record.external_id, record.invoice_external_id, record.customer_external_id, values)

    def credit_note(self, record: CreditNoteRecord) -> bool:
        """A credit note applied to its invoice; a voided one is withdrawn."""
        if record.deleted or record.voided:
            return self._remove(record.external_id)
        paid_on = record.issued_at.date() if record.issued_at else self.today
        values = {
            "kind": "credit_note",
            "amount": record.amount,
            "currency": record.currency,
            "paid_on": paid_on,
        }
        return self._pay(record.external_id, record.invoice_external_id, record.customer_external_id, values)

    def flush(self) -> None:
        """Insert the page's new invoices, then its new payments (the session is flushed)."""
        if self._new_invoices:
            rows = [_row(r) for r in self._new_invoices.values()]
            # Core inserts (no ORM bookkeeping): these rows are not loaded as objects.
            table = INVOICES
            stored = self.session.connection().execute(
                insert(table).returning(table.c.external_id, table.c.id, table.c.account_id), rows
            )
            self._invoices.update({ext: (i, a) for ext, i, a in stored})
            self._new_invoices.clear()
        if self._new_payments:
            rows = [_row(r) for r in self._new_payments.values()]
            for row in rows:
                invoice = self._invoices.get(row.pop("_invoice")) if row.get("_invoice") else None
                row["invoice_id"] = invoice[0] if invoice else None
            table = PAYMENTS
            stored = self.session.connection().execute(
                insert(table).returning(table.c.external_id, table.c.id), rows
            )
            self._payments.update(dict(stored.tuples().all()))
            self._new_payments.clear()

    def _pay(
        self, ext: str, invoice_ext: str | None, customer_ext: str | None, values: dict[str, Any]
    ) -> bool:
        pending = self._new_invoices.get(invoice_ext or "")
        known = self._invoices.get(invoice_ext or "")
        if pending is not None:
            account: Account | int | None = pending["_account"]
        elif known is not None:
            account = known[1]
        else:
            account = self._account(customer_ext, None)
        if ext in self._payments:
            payment = self.session.get(Payment, self._payments[ext])
            assert payment is not None
            invoice_id = known[0] if known else None
            account_id = account if isinstance(account, int) else account.id if account else None
            return _set(payment, {**values, "invoice_id": invoice_id, "account_id": account_id})
        row = {
            "source": self.source,
            "external_id": ext,
            "_invoice": invoice_ext,
            "_account": account,
            **values,
        }
        self._new_payments[ext] = row
        return True

    def _remove(self, ext: str) -> bool:
        if self._new_payments.pop(ext, None) is not None:
            return True
        payment_id = self._payments.pop(ext, None)
        if payment_id is None:
            return False
        self.session.execute(delete(Payment).where(Payment.id == payment_id))
        return True

    def _account(self, customer_id: str | None, known_account_id: int | None) -> Account | None:
        account = self.resolver.linked(self.source, customer_id)
        if account is None and known_account_id is None:
            raise UnknownCustomerError(f"{self.source} customer {customer_id!r} is not in the profile")
        return account


def _row(pending: dict[str, Any]) -> dict[str, Any]:
    """A buffered row with its account (possibly created in this page) as an id."""
    row = dict(pending)
    account = row.pop("_account")
    row["account_id"] = account if isinstance(account, int) else account.id
    return row


def _set(row: Any, values: dict[str, Any]) -> bool:
    """Set the values that differ; True when one did."""
    changed = False
    for name, value in values.items():
        if value is not None and getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


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
