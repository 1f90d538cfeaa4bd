"""API shapes of alerts, their history, disputes and silences."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from agent.alerts.service import AlertListing


class AlertEventRead(BaseModel):
    """One change of an alert: what, who, when."""

    model_config = ConfigDict(from_attributes=True)

    at: datetime
    actor: str
    channel: str | None
    kind: str
    from_state: str | None
    to_state: str | None
    detail: dict[str, Any]


class AlertRead(BaseModel):
    """An alert as the inbox shows it."""

    id: int
    rule: str
    state: str
    severity: str
    message: str
    labels: dict[str, Any]
    account_id: int
    account_name: str
    invoice_id: int | None
    invoice_number: str | None
    owner_name: str | None
    first_fired_at: datetime
    last_fired_at: datetime
    updated_at: datetime
    snoozed_until: date | None
    snooze_reason: str | None
    resolved_at: datetime | None
    resolution: str | None
    allowed_actions: list[str]

    @classmethod
    def of(cls, listing: AlertListing) -> AlertRead:
        row = listing.alert
        return cls(
            id=row.id,
            rule=row.rule,
            state=row.state,
            severity=row.severity,
            message=row.message,
            labels=row.labels,
            account_id=row.account_id,
            account_name=listing.account_name,
            invoice_id=row.invoice_id,
            invoice_number=listing.invoice_number,
            owner_name=listing.owner_name,
            first_fired_at=row.first_fired_at,
            last_fired_at=row.last_fired_at,
            updated_at=row.updated_at,
            snoozed_until=row.snoozed_until.date() if row.snoozed_until else None,
            snooze_reason=row.snooze_reason,
            resolved_at=row.resolved_at,
            resolution=row.resolution,
            allowed_actions=list(listing.actions),
        )


class AlertDetail(AlertRead):
    """An alert with its history."""

    events: list[AlertEventRead]


class NoteRequest(BaseModel):
    """An optional note for acknowledging, closing or reopening."""

    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=500)


class SnoozeRequest(NoteRequest):
    """Snooze until a day, or for a number of days from today."""

    until: date | None = None
    days: int | None = Field(default=None, ge=1, le=366)

    @model_validator(mode="after")
    def _one_end(self) -> SnoozeRequest:
        if (self.until is None) == (self.days is None):
            raise ValueError("give either 'until' or 'days'")
        return self


class PromiseRequest(BaseModel):
    """The customer's promise to pay the alert's invoice by a day (all of it, or ``amount``)."""

    model_config = ConfigDict(extra="forbid")

    promised_date: date
    amount: Decimal | None = Field(default=None, gt=0)
    note: str | None = Field(default=None, max_length=2000)


class PromiseRead(BaseModel):
    """A promise to pay."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    account_id: int
    invoice_id: int | None
    promised_date: date
    amount: Decimal | None
    status: str
    note: str | None
    created_at: datetime


class DisputeRequest(BaseModel):
    """Open a dispute on the alert's invoice."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=64)
    note: str | None = Field(default=None, max_length=2000)


class DisputeResolve(BaseModel):
    """Close a dispute."""

    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=2000)


class DisputeRead(BaseModel):
    """A dispute on an invoice."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    account_id: int
    invoice_id: int | None
    reason: str
    status: str
    note: str | None
    opened_at: datetime
    resolved_at: datetime | None


class SilenceCreate(BaseModel):
    """Mute alerts matching every matcher (``label=value``, ``!=``, ``=~``, ``!~``) until ``ends_at``."""

    model_config = ConfigDict(extra="forbid")

    matchers: list[str] = Field(min_length=1)
    reason: str = Field(min_length=1, max_length=2000)
    ends_at: datetime
    starts_at: datetime | None = None


class SilenceRead(BaseModel):
    """A stored silence."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    matchers: list[str]
    creator: str
    reason: str
    starts_at: datetime
    ends_at: datetime
    created_at: datetime
