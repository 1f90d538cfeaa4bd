"""Typed records a source yields for the unified profile.

Money is ``Decimal`` in major units (Stripe's minor units are converted with the currency's
exponent); times are timezone-aware UTC. ``deleted`` marks a record removed at the source
(archived in HubSpot, ``IsDeleted`` in Salesforce, deleted or voided in Stripe) so the
profile can retire it instead of keeping a ghost.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

# The connector's registry name (``hubspot``, ``stripe``...) or ``csv`` for imported files.
SOURCE_NAME = r"^[a-z][a-z0-9_]{0,31}$"


def _utc(value: datetime) -> datetime:
    """Vendors and client libraries return naive, local or offset times: store UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_utc)]


class RecordBase(BaseModel):
    """Fields every record carries: where it came from and when it last changed there."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(pattern=SOURCE_NAME)
    external_id: str
    updated_at: UtcDatetime | None = None
    deleted: bool = False

    @property
    def key(self) -> tuple[str, str, str]:
        """Identity of the record across syncs: (kind, source, external id)."""
        return (getattr(self, "kind", "record"), self.source, self.external_id)


class AccountRecord(RecordBase):
    """A customer company (HubSpot company, Salesforce Account, Stripe customer)."""

    kind: Literal["account"] = "account"
    name: str | None = None
    domain: str | None = None
    email: str | None = None
    owner_external_id: str | None = None
    owner_email: str | None = None
    # Ids of the same customer in other systems, e.g. {"stripe_customer_id": "cus_123"}.
    other_ids: dict[str, str] = Field(default_factory=dict)
    country: str | None = None
    currency: str | None = None


class PersonRecord(RecordBase):
    """An internal user who can own accounts (HubSpot owner, Salesforce User)."""

    kind: Literal["person"] = "person"
    email: str | None = None
    name: str | None = None
    active: bool = True


class ContactRecord(RecordBase):
    """A person at a customer."""

    kind: Literal["contact"] = "contact"
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    title: str | None = None
    phone: str | None = None
    account_external_ids: tuple[str, ...] = ()
    owner_external_id: str | None = None


class DealRecord(RecordBase):
    """A CRM deal or opportunity."""

    kind: Literal["deal"] = "deal"
    name: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    stage: str | None = None
    close_date: date | None = None
    is_closed: bool = False
    is_won: bool = False
    is_renewal: bool = False
    account_external_ids: tuple[str, ...] = ()
    owner_external_id: str | None = None


class InvoiceRecord(RecordBase):
    """A billing invoice."""

    kind: Literal["invoice"] = "invoice"
    customer_external_id: str | None = None
    number: str | None = None
    currency: str
    total: Decimal
    amount_due: Decimal
    amount_paid: Decimal
    amount_remaining: Decimal
    issue_date: date | None = None
    due_date: date | None = None
    paid_at: UtcDatetime | None = None
    status: str
    collection_method: str | None = None
    voided: bool = False


class CreditNoteRecord(RecordBase):
    """A credit note reducing an invoice's balance."""

    kind: Literal["credit_note"] = "credit_note"
    invoice_external_id: str | None = None
    customer_external_id: str | None = None
    number: str | None = None
    currency: str
    amount: Decimal
    issued_at: UtcDatetime | None = None
    status: str
    reason: str | None = None
    voided: bool = False


class PaymentRecord(RecordBase):
    """Money received against an invoice."""

    kind: Literal["payment"] = "payment"
    invoice_external_id: str
    customer_external_id: str | None = None
    currency: str
    amount: Decimal
    paid_at: UtcDatetime | None = None


Record = Annotated[
    AccountRecord
    | PersonRecord
    | ContactRecord
    | DealRecord
    | InvoiceRecord
    | CreditNoteRecord
    | PaymentRecord,
    Field(discriminator="kind"),
]
