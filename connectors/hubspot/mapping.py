"""HubSpot objects (as the SDK returns them) to Nudge records."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.core.records import AccountRecord, ContactRecord, DealRecord, PersonRecord

COMPANY_PROPERTIES = [
    "name",
    "domain",
    "hubspot_owner_id",
    "stripe_customer_id",
    "country",
    "hs_lastmodifieddate",
]
CONTACT_PROPERTIES = [
    "email",
    "firstname",
    "lastname",
    "jobtitle",
    "phone",
    "hubspot_owner_id",
    "lastmodifieddate",
]
DEAL_PROPERTIES = [
    "dealname",
    "amount",
    "deal_currency_code",
    "dealstage",
    "closedate",
    "dealtype",
    "hubspot_owner_id",
    "hs_is_closed",
    "hs_is_closed_won",
    "hs_lastmodifieddate",
]
PROPERTIES = {
    "companies": COMPANY_PROPERTIES,
    "contacts": CONTACT_PROPERTIES,
    "deals": DEAL_PROPERTIES,
}
CLOSED_WON, CLOSED_LOST = "closedwon", "closedlost"


def _blank(value: str | None) -> str | None:
    return value if value not in (None, "") else None


def _decimal(value: str | None) -> Decimal | None:
    try:
        return Decimal(value) if value else None
    except InvalidOperation:
        return None


def _date(value: str | None) -> date | None:
    if not _blank(value):
        return None
    assert value is not None
    if value.isdigit():
        return datetime.fromtimestamp(int(value) / 1000).date()
    return datetime.fromisoformat(value.replace("Z", "+00:00")).date()


def _linked(obj: Any, to_type: str) -> tuple[str, ...]:
    associations = getattr(obj, "associations", None) or {}
    linked = associations.get(to_type)
    return tuple(str(a.id) for a in linked.results) if linked is not None and linked.results else ()


def to_account(obj: Any, owner_emails: dict[str, str]) -> AccountRecord:
    """A HubSpot company as an account; the owner's e-mail comes from the owners list."""
    props = obj.properties
    owner = _blank(props.get("hubspot_owner_id"))
    stripe_id = _blank(props.get("stripe_customer_id"))
    return AccountRecord(
        source="hubspot",
        external_id=str(obj.id),
        updated_at=obj.updated_at,
        deleted=bool(obj.archived),
        name=_blank(props.get("name")),
        domain=_blank(props.get("domain")),
        owner_external_id=owner,
        owner_email=owner_emails.get(owner) if owner else None,
        other_ids={"stripe_customer_id": stripe_id} if stripe_id else {},
        country=_blank(props.get("country")),
    )


def to_contact(obj: Any, companies: tuple[str, ...] | None = None) -> ContactRecord:
    """A HubSpot contact, linked to the companies it is associated with."""
    props = obj.properties
    return ContactRecord(
        source="hubspot",
        external_id=str(obj.id),
        updated_at=obj.updated_at,
        deleted=bool(obj.archived),
        email=_blank(props.get("email")),
        first_name=_blank(props.get("firstname")),
        last_name=_blank(props.get("lastname")),
        title=_blank(props.get("jobtitle")),
        phone=_blank(props.get("phone")),
        account_external_ids=_linked(obj, "companies") if companies is None else companies,
        owner_external_id=_blank(props.get("hubspot_owner_id")),
    )


def to_deal(obj: Any, companies: tuple[str, ...] | None = None) -> DealRecord:
    """A HubSpot deal; ``dealtype = existingbusiness`` marks a renewal."""
    props = obj.properties
    stage = _blank(props.get("dealstage"))
    return DealRecord(
        source="hubspot",
        external_id=str(obj.id),
        updated_at=obj.updated_at,
        deleted=bool(obj.archived),
        name=_blank(props.get("dealname")),
        amount=_decimal(props.get("amount")),
        currency=_blank(props.get("deal_currency_code")),
        stage=stage,
        close_date=_date(props.get("closedate")),
        is_closed=stage in (CLOSED_WON, CLOSED_LOST) or props.get("hs_is_closed") == "true",
        is_won=stage == CLOSED_WON or props.get("hs_is_closed_won") == "true",
        is_renewal=props.get("dealtype") == "existingbusiness",
        account_external_ids=_linked(obj, "companies") if companies is None else companies,
        owner_external_id=_blank(props.get("hubspot_owner_id")),
    )


def to_person(owner: Any) -> PersonRecord:
    """A HubSpot owner (a user who can own records)."""
    name = " ".join(part for part in (owner.first_name, owner.last_name) if part) or None
    return PersonRecord(
        source="hubspot",
        external_id=str(owner.id),
        updated_at=owner.updated_at,
        deleted=bool(owner.archived),
        email=owner.email,
        name=name,
        active=not owner.archived,
    )
