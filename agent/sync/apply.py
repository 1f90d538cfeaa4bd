"""Write one page of source records into the unified profile (the caller commits)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.profile.priority import FieldPriority
from agent.profile.resolution import Resolver
from agent.profile.tables import Contact
from agent.profile.writer import Change, ProfileWriter
from agent.sync.accounts import apply_account
from agent.sync.billing import Billing, UnknownCustomerError
from agent.sync.deals import DealBook
from connectors.core.records import (
    AccountRecord,
    ContactRecord,
    CreditNoteRecord,
    DealRecord,
    InvoiceRecord,
    PaymentRecord,
    PersonRecord,
    RecordBase,
)


class ProfileSync:
    """Applies records of one source; lookups are loaded once and kept across pages."""

    def __init__(self, *, session: Session, source: str, priority: FieldPriority, today: date) -> None:
        self.session = session
        self.source = source
        self.priority = priority
        self.writer = ProfileWriter(session=session, source=source)
        self.resolver = Resolver(session)
        self.deals = DealBook(session, source)
        self.billing = Billing(session, source, self.resolver, today)
        self._contacts = {
            c.external_id: c for c in session.scalars(select(Contact).where(Contact.source == source))
        }
        self.errors: list[str] = []

    def apply(self, records: Sequence[RecordBase]) -> int:
        """Apply a page; returns how many records changed the profile."""
        # Lookups are cached, so no query needs pending rows flushed first: flush once.
        with self.session.no_autoflush:
            changed = sum(self._apply_one(record) for record in records)
        self.session.flush()
        self.billing.flush()
        self.deals.refresh_signals()
        return changed

    def _apply_one(self, record: RecordBase) -> bool:
        try:
            return self._dispatch(record)
        except UnknownCustomerError as exc:
            self.errors.append(f"{record.external_id}: {exc}")
            return False

    def _dispatch(self, record: RecordBase) -> bool:
        if isinstance(record, AccountRecord):
            return apply_account(record, resolver=self.resolver, writer=self.writer, priority=self.priority)
        if isinstance(record, PersonRecord):
            return self._person(record)
        if isinstance(record, ContactRecord):
            return self._contact(record)
        if isinstance(record, DealRecord):
            return self.deals.apply(record, self.resolver)
        if isinstance(record, InvoiceRecord):
            return self.billing.invoice(record)
        if isinstance(record, PaymentRecord):
            return self.billing.payment(record)
        if isinstance(record, CreditNoteRecord):
            return self.billing.credit_note(record)
        return False

    def _person(self, record: PersonRecord) -> bool:
        """A CRM user becomes (or updates) a person; roles and Slack ids stay Nudge's own."""
        if not record.email:
            return False
        _, change = self.writer.person(
            email=record.email, name=record.name, active=record.active and not record.deleted
        )
        return change is not Change.UNCHANGED

    def _contact(self, record: ContactRecord) -> bool:
        contact = self._contacts.get(record.external_id)
        if record.deleted:
            if contact is None:
                return False
            self.session.delete(self._contacts.pop(record.external_id))
            return True
        account = next(
            (
                a
                for x in record.account_external_ids
                if (a := self.resolver.linked(self.source, x)) is not None
            ),
            None,
        )
        if account is None:
            return False  # a contact of no known company is not part of any account
        if account.id is None:
            self.session.flush()  # the company arrived in this very page
        name = " ".join(p for p in (record.first_name, record.last_name) if p) or record.email or "?"
        values = {
            "account_id": account.id,
            "name": name,
            "email": record.email,
            "title": record.title,
            "phone": record.phone,
        }
        if contact is None:
            contact = Contact(source=self.source, external_id=record.external_id, **values)
            self.session.add(contact)
            self._contacts[record.external_id] = contact
            return True
        changed = any(getattr(contact, k) != v for k, v in values.items())
        for key, value in values.items():
            setattr(contact, key, value)
        return changed
