"""Salesforce records (REST JSON or Bulk CSV rows) to Nudge records."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.core.records import (
    AccountRecord,
    ContactRecord,
    DealRecord,
    PersonRecord,
    RecordBase,
)
from connectors.salesforce.facts import parse_sf_datetime

FIELDS = {
    "User": ["Id", "Email", "Name", "IsActive", "SystemModstamp", "IsDeleted"],
    "Account": [
        "Id",
        "Name",
        "Website",
        "OwnerId",
        "Owner.Email",
        "Stripe_Customer_Id__c",
        "BillingCountry",
        "SystemModstamp",
        "IsDeleted",
    ],
    "Contact": [
        "Id",
        "AccountId",
        "Email",
        "FirstName",
        "LastName",
        "Title",
        "Phone",
        "OwnerId",
        "SystemModstamp",
        "IsDeleted",
    ],
    "Opportunity": [
        "Id",
        "AccountId",
        "Name",
        "Amount",
        "StageName",
        "CloseDate",
        "IsClosed",
        "IsWon",
        "Type",
        "OwnerId",
        "SystemModstamp",
        "IsDeleted",
    ],
}


def _text(row: dict[str, Any], field: str) -> str | None:
    value = row.get(field)
    return None if value in (None, "") else str(value)


def _flag(row: dict[str, Any], field: str) -> bool:
    value = row.get(field)
    return value is True or str(value).lower() == "true"


def _domain(website: str | None) -> str | None:
    if not website:
        return None
    host = website.split("://", 1)[-1].split("/", 1)[0].lower()
    return host[4:] if host.startswith("www.") else host


def _common(row: dict[str, Any]) -> dict[str, Any]:
    stamp = _text(row, "SystemModstamp")
    return {
        "source": "salesforce",
        "external_id": str(row["Id"]),
        "updated_at": datetime.fromtimestamp(parse_sf_datetime(stamp) / 1000, UTC) if stamp else None,
        "deleted": _flag(row, "IsDeleted"),
    }


def _owner_email(row: dict[str, Any]) -> str | None:
    """``Owner.Email`` arrives nested in REST answers and as a dotted column in Bulk CSV."""
    owner = row.get("Owner")
    if isinstance(owner, dict):
        return _text(owner, "Email")
    return _text(row, "Owner.Email")


def to_record(sobject: str, row: dict[str, Any]) -> RecordBase:
    """One Salesforce row of ``sobject`` as a Nudge record."""
    if sobject == "User":
        return PersonRecord(
            **_common(row),
            email=_text(row, "Email"),
            name=_text(row, "Name"),
            active=_flag(row, "IsActive"),
        )
    if sobject == "Account":
        owner = _text(row, "OwnerId")
        stripe_id = _text(row, "Stripe_Customer_Id__c")
        return AccountRecord(
            **_common(row),
            name=_text(row, "Name"),
            domain=_domain(_text(row, "Website")),
            owner_external_id=owner,
            owner_email=_owner_email(row),
            other_ids={"stripe_customer_id": stripe_id} if stripe_id else {},
            country=_text(row, "BillingCountry"),
        )
    if sobject == "Contact":
        account = _text(row, "AccountId")
        return ContactRecord(
            **_common(row),
            email=_text(row, "Email"),
            first_name=_text(row, "FirstName"),
            last_name=_text(row, "LastName"),
            title=_text(row, "Title"),
            phone=_text(row, "Phone"),
            account_external_ids=(account,) if account else (),
            owner_external_id=_text(row, "OwnerId"),
        )
    return _deal(row)


def _deal(row: dict[str, Any]) -> DealRecord:
    account = _text(row, "AccountId")
    close = _text(row, "CloseDate")
    try:
        amount = Decimal(str(row["Amount"])) if _text(row, "Amount") else None
    except InvalidOperation:
        amount = None
    return DealRecord(
        **_common(row),
        name=_text(row, "Name"),
        amount=amount,
        stage=_text(row, "StageName"),
        close_date=date.fromisoformat(close[:10]) if close else None,
        is_closed=_flag(row, "IsClosed"),
        is_won=_flag(row, "IsWon"),
        is_renewal=(_text(row, "Type") or "").lower().startswith(("renewal", "existing")),
        account_external_ids=(account,) if account else (),
        owner_external_id=_text(row, "OwnerId"),
    )
