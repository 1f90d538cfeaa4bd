"""Tables of the unified customer profile."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agent.db.base import Base
from agent.db.types import Money, UTCDateTime, utcnow

PERSON_ROLES = ("admin", "finance", "ops", "manager", "csm", "account_manager")


class Person(Base):
    """Someone on the vendor's side: CSM, account manager, manager, ops, finance."""

    __tablename__ = "people"
    __table_args__ = (CheckConstraint(f"role IN {PERSON_ROLES}", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    slack_id: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # as the CRM says
    # Deactivated in Nudge (``nudge person deactivate``): no sync undoes it.
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    manager: Mapped[Person | None] = relationship(remote_side=[id])


class Account(Base):
    """A customer account: the unit a CSM owns and an alert is about."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), index=True)
    primary_domain: Mapped[str | None] = mapped_column(String(255))
    segment: Mapped[str | None] = mapped_column(String(64))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    default_terms_days: Mapped[int | None] = mapped_column(Integer)
    terms_label: Mapped[str | None] = mapped_column(String(64))
    credit_limit: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    country: Mapped[str | None] = mapped_column(String(64))
    # Per field: {"source": "hubspot", "seen_at": "2026-11-01T10:00:00+00:00"}.
    field_sources: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner: Mapped[Person | None] = relationship()
    external_ids: Mapped[list[AccountExternalId]] = relationship(
        back_populates="account", cascade="all, delete-orphan"
    )
    domains: Mapped[list[AccountDomain]] = relationship(cascade="all, delete-orphan")


class AccountExternalId(Base):
    """The account's id in one source system (a Stripe customer, a HubSpot company...)."""

    __tablename__ = "account_external_ids"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(128))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    account: Mapped[Account] = relationship(back_populates="external_ids")


class AccountDomain(Base):
    """A normalised web domain that identifies an account."""

    __tablename__ = "account_domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    domain: Mapped[str] = mapped_column(String(255), unique=True)


class Contact(Base):
    """A person at the customer."""

    __tablename__ = "contacts"
    # Emails are looked up without regard to case (the account-context service).
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_contacts_email_lower", func.lower(text("email"))),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    title: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(128))


class Invoice(Base):
    """An invoice (or a credit note, with a negative amount) billed to an account."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_invoices_open", "account_id", "paid_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(128))
    number: Mapped[str] = mapped_column(String(128))
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal] = mapped_column(Money)
    amount_paid: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    issue_date: Mapped[date] = mapped_column(Date, index=True)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    paid_date: Mapped[date | None] = mapped_column(Date)
    terms_days: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | paid | void
    disputed: Mapped[bool] = mapped_column(Boolean, default=False)
    delivery_channel: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    account: Mapped[Account] = relationship()

    @property
    def amount_open(self) -> Decimal:
        """What is still owed."""
        return Decimal(0) if self.status == "void" else self.amount - self.amount_paid


class Payment(Base):
    """Cash received, or a credit note applied, against an invoice."""

    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16), default="payment")  # payment | credit_note
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    paid_on: Mapped[date] = mapped_column(Date, index=True)
    method: Mapped[str | None] = mapped_column(String(32))

    account: Mapped[Account] = relationship()
    invoice: Mapped[Invoice | None] = relationship()


class CrmSignal(Base):
    """One observation from a CRM: renewal date, open deals, open tickets, health..."""

    __tablename__ = "crm_signals"
    __table_args__ = (Index("ix_crm_signals_latest", "account_id", "kind", "observed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(32))
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PaymentPromise(Base):
    """A customer's promise to pay (an invoice, or the account's balance) by a date."""

    __tablename__ = "payment_promises"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    promised_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal | None] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | kept | broken
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Dispute(Base):
    """A disputed invoice, from opening to resolution."""

    __tablename__ = "disputes"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | resolved
    note: Mapped[str | None] = mapped_column(Text)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


REVIEW_STATUSES = ("open", "resolved")


class MatchReview(Base):
    """An ambiguous match waiting for a person.

    The record lives meanwhile on a provisional account (``provisional_account_id``) so its
    invoices are not lost; resolving merges that account into the chosen one, or keeps it
    as a new account.
    """

    __tablename__ = "match_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(128))
    record_name: Mapped[str | None] = mapped_column(String(300))
    record_domain: Mapped[str | None] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(String(64))
    # Account ids the record could be.
    candidates: Mapped[list[Any]] = mapped_column(JSON, default=list)
    provisional_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    chosen_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
