"""The account-context payload: what a card (Slack, CRM sidebar, browser extension, email) renders."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

DsoSource = Literal["snapshot", "live"]


class LookupRead(BaseModel):
    """What was looked up (as normalised) and what matched it."""

    query: dict[str, str]
    matched: str


class OwnerRead(BaseModel):
    """The person at the vendor who owns the account."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str


class TermsRead(BaseModel):
    """The payment terms agreed with the account."""

    label: str | None
    days: int | None


class AccountCard(BaseModel):
    """Who the account is, who owns it, and where it lives in Nudge."""

    id: int
    name: str
    domain: str | None
    segment: str | None
    currency: str
    owner: OwnerRead | None
    terms: TermsRead
    url: str


class Amount(BaseModel):
    """Money in one currency."""

    currency: str
    amount: Decimal


class InvoiceRiskRead(BaseModel):
    """The model's latest score of one open invoice."""

    invoice_id: int
    number: str
    p_late: float
    expected_days_late: float
    expected_pay_date: date
    reasons: list[str]


class RiskRead(BaseModel):
    """The account's risk: its riskiest open invoice's probability and reasons, then each invoice."""

    model_config = ConfigDict(protected_namespaces=())

    p_late: float | None
    reasons: list[str]
    model_version: str | None
    scored_on: date | None
    invoices: list[InvoiceRiskRead]


class AlertCard(BaseModel):
    """An open alert and what a person may do to it now."""

    id: int
    rule: str
    severity: str
    state: str
    message: str
    invoice_id: int | None
    invoice_number: str | None
    first_fired_at: datetime
    snoozed_until: date | None
    allowed_actions: list[str]
    url: str


class OverdueInvoice(BaseModel):
    """An open invoice past its due date."""

    id: int
    number: str
    currency: str
    amount_open: Decimal
    due_date: date
    days_past_due: int
    disputed: bool


class DsoRead(BaseModel):
    """The account's DSO against its sales-weighted terms, as the metrics engine computes it.

    ``source`` is ``snapshot`` (stored by today's cycle) or ``live`` (computed for this call);
    a null metric is undefined and ``undefined`` says why.
    """

    dso: float | None
    weighted_terms_days: float | None
    gap_days: float | None
    period_days: int
    currency: str
    undefined: dict[str, str]
    source: DsoSource


class PromiseCard(BaseModel):
    """An open promise to pay."""

    id: int
    invoice_id: int | None
    invoice_number: str | None
    promised_date: date
    amount: Decimal | None
    created_at: datetime


class DisputeCard(BaseModel):
    """An open dispute."""

    id: int
    invoice_id: int | None
    invoice_number: str | None
    reason: str
    opened_at: datetime


class AccountContext(BaseModel):
    """Everything a card needs about one account, as of ``as_of``."""

    lookup: LookupRead
    as_of: date
    account: AccountCard
    open_ar: list[Amount]
    overdue_ar: list[Amount]
    risk: RiskRead
    dso: DsoRead
    alerts: list[AlertCard]
    overdue_invoices: list[OverdueInvoice]
    promises: list[PromiseCard]
    disputes: list[DisputeCard]
