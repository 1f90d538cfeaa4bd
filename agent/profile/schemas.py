"""API shapes of the unified profile."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict


class PersonRead(BaseModel):
    """A person, as shown to users."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str
    role: str


class AccountSummary(BaseModel):
    """A row of the account list."""

    id: int
    name: str
    domain: str | None
    segment: str | None
    owner: PersonRead | None
    currency: str
    open_ar: Decimal
    overdue_ar: Decimal
    open_invoices: int
    oldest_days_past_due: int | None


class InvoiceRead(BaseModel):
    """An invoice with its open balance and lateness as of the book date."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    source: str
    currency: str
    amount: Decimal
    amount_paid: Decimal
    amount_open: Decimal
    issue_date: date
    due_date: date
    paid_date: date | None
    terms_days: int
    status: str
    disputed: bool
    days_past_due: int | None = None


class PaymentRead(BaseModel):
    """Cash received or a credit note applied."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    invoice_id: int | None
    kind: str
    amount: Decimal
    currency: str
    paid_on: date
    method: str | None


class SignalRead(BaseModel):
    """The latest CRM observation of one kind."""

    model_config = ConfigDict(from_attributes=True)

    kind: str
    value: str
    source: str
    observed_at: datetime


class PromiseRead(BaseModel):
    """A promise to pay."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    invoice_id: int | None
    promised_date: date
    amount: Decimal | None
    status: str
    created_at: datetime


class DisputeRead(BaseModel):
    """A dispute on an invoice."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    invoice_id: int | None
    reason: str
    status: str
    opened_at: datetime
    resolved_at: datetime | None


class ExternalIdRead(BaseModel):
    """The account's id in one source."""

    model_config = ConfigDict(from_attributes=True)

    source: str
    external_id: str


class AccountDetail(BaseModel):
    """Everything the account page shows."""

    summary: AccountSummary
    terms_label: str | None
    default_terms_days: int | None
    credit_limit: Decimal | None
    country: str | None
    external_ids: list[ExternalIdRead]
    invoices: list[InvoiceRead]
    payments: list[PaymentRead]
    signals: list[SignalRead]
    promises: list[PromiseRead]
    disputes: list[DisputeRead]


class AgingRead(BaseModel):
    """Open balance per aging bucket, for one currency."""

    currency: str
    as_of: date
    buckets: dict[str, Decimal]
    total: Decimal
