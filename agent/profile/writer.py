"""Writing source records into the unified profile: match, create or update, never duplicate.

One :class:`ProfileWriter` serves one source (``csv``, ``demo``, ``stripe`` ...) within one
session; the caller commits. Lookups are loaded once so bulk loads stay fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.db.types import utcnow
from agent.profile.tables import (
    Account,
    AccountDomain,
    AccountExternalId,
    Invoice,
    Payment,
    Person,
)


class Change(StrEnum):
    """What an upsert did."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class ChangeCounts:
    """Running totals of upsert outcomes."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, change: Change) -> None:
        """Count one outcome."""
        setattr(self, change.value, getattr(self, change.value) + 1)


def normalise_domain(domain: str | None) -> str | None:
    """``https://www.Acme.com/`` -> ``acme.com``."""
    if not domain:
        return None
    text = domain.strip().lower().removeprefix("http://").removeprefix("https://")
    text = text.split("/", 1)[0].removeprefix("www.")
    return text or None


@dataclass
class ProfileWriter:
    """Upserts for one source. Attribute values set to ``None`` leave the stored value alone."""

    session: Session
    source: str
    _accounts: dict[str, Account] = field(default_factory=dict, init=False)
    _people: dict[str, Person] = field(default_factory=dict, init=False)
    _invoices: dict[str, Invoice] = field(default_factory=dict, init=False)
    _payments: dict[str, Payment] = field(default_factory=dict, init=False)
    # domain -> account id as stored, or the Account object added in this session.
    _domains: dict[str, int | Account] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        links = self.session.execute(
            select(AccountExternalId.external_id, Account)
            .join(Account, Account.id == AccountExternalId.account_id)
            .where(AccountExternalId.source == self.source)
        )
        self._accounts = dict(links.tuples().all())
        self._people = {p.email: p for p in self.session.scalars(select(Person))}
        self._invoices = {
            i.external_id: i
            for i in self.session.scalars(select(Invoice).where(Invoice.source == self.source))
        }
        self._payments = {
            p.external_id: p
            for p in self.session.scalars(select(Payment).where(Payment.source == self.source))
        }
        domains = self.session.execute(select(AccountDomain.domain, AccountDomain.account_id))
        self._domains = dict(domains.tuples().all())

    def person(self, *, email: str, **values: Any) -> tuple[Person, Change]:
        """The person with ``email``, created (default role ``csm``) or updated."""
        key = email.strip().lower()
        manager_email = values.pop("manager_email", None)
        if manager_email:
            values["manager"] = self._person_ref(manager_email, default_role="manager")
        person = self._people.get(key)
        if person is None:
            return self._new_person(key, values), Change.CREATED
        return person, _apply(person, values)

    def _person_ref(self, email: str, *, default_role: str) -> Person:
        """The person with ``email``; created with ``default_role`` if unknown."""
        key = email.strip().lower()
        return self._people.get(key) or self._new_person(key, {"role": default_role})

    def _new_person(self, email: str, values: dict[str, Any]) -> Person:
        values.setdefault("name", email.split("@", 1)[0].replace(".", " ").title())
        values.setdefault("role", "csm")
        person = Person(email=email, **{k: v for k, v in values.items() if v is not None})
        self.session.add(person)
        self._people[email] = person
        return person

    def account(
        self,
        *,
        external_id: str,
        domain: str | None = None,
        owner_email: str | None = None,
        **values: Any,
    ) -> tuple[Account, Change]:
        """Match the source's account by its id, then by domain; else create it."""
        domain = normalise_domain(domain)
        if owner_email:
            values["owner"] = self._person_ref(owner_email, default_role="csm")
        account = self._accounts.get(external_id) or self._by_domain(domain)
        if account is None:
            account = Account(**{k: v for k, v in values.items() if v is not None})
            account.primary_domain = domain
            account.field_sources = self._sources(values)
            self.session.add(account)
            change = Change.CREATED
        else:
            change = _apply(account, values)
            if change is Change.UPDATED:
                account.field_sources = {**account.field_sources, **self._sources(values)}
        if external_id not in self._accounts:
            account.external_ids.append(AccountExternalId(source=self.source, external_id=external_id))
            self._accounts[external_id] = account
        self._link_domain(account, domain)
        return account, change

    def link_external_id(self, account: Account, *, source: str, external_id: str) -> None:
        """Remember the account's id in another system (e.g. its Stripe customer)."""
        if not any(x.source == source and x.external_id == external_id for x in account.external_ids):
            account.external_ids.append(AccountExternalId(source=source, external_id=external_id))

    def invoice(self, *, account: Account, external_id: str, **values: Any) -> tuple[Invoice, Change]:
        """Create or update the source's invoice ``external_id``."""
        invoice = self._invoices.get(external_id)
        if invoice is None:
            invoice = Invoice(account=account, source=self.source, external_id=external_id, **values)
            self.session.add(invoice)
            self._invoices[external_id] = invoice
            return invoice, Change.CREATED
        values["account"] = account
        return invoice, _apply(invoice, values)

    def payment(
        self, *, account: Account, invoice: Invoice | None, external_id: str, **values: Any
    ) -> tuple[Payment, Change]:
        """Create or update the source's payment ``external_id``."""
        payment = self._payments.get(external_id)
        if payment is None:
            payment = Payment(
                source=self.source,
                external_id=external_id,
                account=account,
                invoice=invoice,
                **values,
            )
            self.session.add(payment)
            self._payments[external_id] = payment
            return payment, Change.CREATED
        return payment, _apply(payment, {**values, "account": account, "invoice": invoice})

    def remove_payment(self, external_id: str) -> bool:
        """Delete the source's payment ``external_id`` if it exists."""
        payment = self._payments.pop(external_id, None)
        if payment is None:
            return False
        self.session.delete(payment)
        return True

    def _by_domain(self, domain: str | None) -> Account | None:
        known = self._domains.get(domain) if domain else None
        if isinstance(known, int):
            return self.session.get(Account, known)
        return known

    def _link_domain(self, account: Account, domain: str | None) -> None:
        if domain and domain not in self._domains:
            account.domains.append(AccountDomain(domain=domain))
            self._domains[domain] = account

    def _sources(self, values: dict[str, Any]) -> dict[str, Any]:
        seen_at = utcnow().isoformat()
        return {
            name: {"source": self.source, "seen_at": seen_at} for name, v in values.items() if v is not None
        }


def _apply(row: Any, values: dict[str, Any]) -> Change:
    """Set changed, non-null attributes; report whether anything changed."""
    changed = False
    for name, value in values.items():
        if value is None:
            continue
        if _differs(getattr(row, name), value):
            setattr(row, name, value)
            changed = True
    return Change.UPDATED if changed else Change.UNCHANGED


def _differs(current: Any, new: Any) -> bool:
    if isinstance(new, Decimal) and current is not None:
        return Decimal(current) != new
    return bool(current != new)
