"""What a caller looks an account up by, and finding it with indexed queries, scoped to the caller.

Three kinds of lookup: a source's object id (a HubSpot company, contact or deal, a
Salesforce Account, Contact or Opportunity, a Stripe customer), a web domain (a
subdomain such as ``billing.acme.com`` finds ``acme.com``), or an email address (the
contact who has it, else the address's domain). What a person types (Slack's ``/nudge``)
is a fourth, ``text`` (:func:`text_lookup`): an address, a domain, any source's account
id, or the account's name. An account the caller may not see is
not found, exactly as an unknown one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from agent.auth.service import Principal, visible_accounts
from agent.profile.tables import Account, AccountDomain, AccountExternalId, Contact
from agent.profile.writer import normalise_domain
from agent.sync.tables import CrmDeal

ObjectKind = Literal["account", "contact", "deal"]
# Per source, its object names (lower case) and where the profile keeps their ids.
OBJECTS: dict[str, dict[str, ObjectKind]] = {
    "hubspot": {"company": "account", "contact": "contact", "deal": "deal"},
    "salesforce": {"account": "account", "contact": "contact", "opportunity": "deal"},
    "stripe": {"customer": "account"},
}
USAGE = "look up one of: ?source=&object=&id=, ?domain= or ?email="


class BadLookupError(ValueError):
    """A malformed lookup: none or several at once, an unknown source or object, a bad address."""


@dataclass(frozen=True)
class Lookup:
    """One normalised lookup."""

    kind: Literal["object", "domain", "email", "text"]
    value: str
    source: str | None = None
    object: str | None = None

    def describe(self) -> str:
        """What was looked up, in words: ``hubspot company 123``, ``domain acme.com``."""
        if self.kind == "object":
            return f"{self.source} {self.object} {self.value}"
        return f"{self.kind} {self.value}"

    def query(self) -> dict[str, str]:
        """The lookup as query parameters."""
        if self.kind == "object":
            return {"source": self.source or "", "object": self.object or "", "id": self.value}
        return {self.kind: self.value}


@dataclass(frozen=True)
class Found:
    """The account a lookup found, and what matched (``contact jane@acme.com``, ``domain acme.com``)."""

    account_id: int
    matched: str


def parse_lookup(
    *,
    source: str | None = None,
    object_name: str | None = None,
    object_id: str | None = None,
    domain: str | None = None,
    email: str | None = None,
) -> Lookup:
    """Exactly one lookup out of the query's parameters; :class:`BadLookupError` otherwise."""
    by_object = any(part is not None for part in (source, object_name, object_id))
    given = [name for name, used in (("object id", by_object), ("domain", domain), ("email", email)) if used]
    if len(given) != 1:
        raise BadLookupError(f"{USAGE} (got {' and '.join(given) if given else 'none'})")
    if by_object:
        return _object_lookup(source, object_name, object_id)
    if domain is not None:
        return Lookup("domain", _domain(domain))
    return Lookup("email", _email(email or ""))


def text_lookup(text: str) -> Lookup:
    """What a person typed: an address, a domain, else an account id or name (``Acme Corp``)."""
    text = " ".join(text.split())
    if not text:
        raise BadLookupError("type an account name, domain or CRM id")
    if "@" in text:
        return Lookup("email", _email(text))
    if "." in text and " " not in text:
        try:
            return Lookup("domain", _domain(text))
        except BadLookupError:
            pass  # a name with a dot ("Acme Co.")
    return Lookup("text", text)


def find_account(*, session: Session, principal: Principal, lookup: Lookup) -> Found | None:
    """The account ``lookup`` names, if the caller may see it."""
    if lookup.kind == "object":
        return _by_object(session, principal, lookup)
    if lookup.kind == "text":
        return _by_text(session, principal, lookup.value)
    if lookup.kind == "domain":
        return _by_domain(session, principal, lookup.value)
    return _by_email(session, principal, lookup.value)


def _object_lookup(source: str | None, object_name: str | None, external_id: str | None) -> Lookup:
    if not (source and object_name and external_id and external_id.strip()):
        raise BadLookupError("a lookup by object id needs source, object and id")
    source, object_name = source.strip().lower(), object_name.strip().lower()
    if source not in OBJECTS:
        raise BadLookupError(f"unknown source '{source}' (known: {', '.join(sorted(OBJECTS))})")
    if object_name not in OBJECTS[source]:
        known = ", ".join(OBJECTS[source])
        raise BadLookupError(f"unknown object '{object_name}' for {source} (known: {known})")
    return Lookup("object", external_id.strip(), source=source, object=object_name)


def _domain(text: str) -> str:
    domain = (normalise_domain(text) or "").split(":", 1)[0].rstrip(".")
    labels = domain.split(".")
    if len(labels) < 2 or not all(labels) or any(c.isspace() or c == "@" for c in domain):
        raise BadLookupError(f"'{text}' is not a domain")
    return domain


def _email(text: str) -> str:
    local, at, domain = text.strip().lower().rpartition("@")
    if not (at and local) or any(c.isspace() for c in local):
        raise BadLookupError(f"'{text}' is not an email address")
    try:
        return f"{local}@{_domain(domain)}"
    except BadLookupError:
        raise BadLookupError(f"'{text}' is not an email address") from None


def _by_object(session: Session, principal: Principal, lookup: Lookup) -> Found | None:
    kind = OBJECTS[lookup.source or ""][lookup.object or ""]
    query: Select[Any]
    if kind == "account":
        query = select(AccountExternalId.account_id).where(
            AccountExternalId.source == lookup.source, AccountExternalId.external_id == lookup.value
        )
    elif kind == "contact":
        query = select(Contact.account_id).where(
            Contact.source == lookup.source, Contact.external_id == lookup.value
        )
    else:
        query = select(CrmDeal.account_id).where(
            CrmDeal.source == lookup.source, CrmDeal.external_id == lookup.value
        )
    account_id = session.scalar(select(Account.id).where(Account.id.in_(query), visible_accounts(principal)))
    return None if account_id is None else Found(account_id, lookup.describe())


def _by_domain(session: Session, principal: Principal, domain: str) -> Found | None:
    """The account of ``domain`` or of its closest parent domain (``billing.acme.com`` -> ``acme.com``)."""
    labels = domain.split(".")
    candidates = [".".join(labels[start:]) for start in range(len(labels) - 1)]
    rows = session.execute(
        select(AccountDomain.domain, AccountDomain.account_id)
        .join(Account, Account.id == AccountDomain.account_id)
        .where(AccountDomain.domain.in_(candidates), visible_accounts(principal))
    ).tuples()
    found = dict(rows.all())
    closest = next((candidate for candidate in candidates if candidate in found), None)
    return None if closest is None else Found(found[closest], f"domain {closest}")


def _by_email(session: Session, principal: Principal, email: str) -> Found | None:
    """The account of the contact with ``email`` (the oldest such contact), else of its domain."""
    account_id = session.scalar(
        select(Contact.account_id)
        .join(Account, Account.id == Contact.account_id)
        .where(func.lower(Contact.email) == email, visible_accounts(principal))
        .order_by(Contact.id)
        .limit(1)
    )
    if account_id is not None:
        return Found(account_id, f"contact {email}")
    return _by_domain(session, principal, email.rsplit("@", 1)[1])


def _by_text(session: Session, principal: Principal, text: str) -> Found | None:
    """Any source's account id, else the name without case, else the one name starting so."""
    by_id = session.execute(
        select(AccountExternalId.account_id, AccountExternalId.source)
        .join(Account, Account.id == AccountExternalId.account_id)
        .where(AccountExternalId.external_id == text, visible_accounts(principal))
        .order_by(AccountExternalId.id)
        .limit(1)
    ).first()
    if by_id is not None:
        return Found(by_id[0], f"{by_id[1]} id {text}")
    literal = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    for pattern, matched in ((literal, "name"), (literal + "%", "name starting")):
        ids = session.scalars(
            select(Account.id)
            .where(func.lower(Account.name).like(pattern, escape="\\"), visible_accounts(principal))
            .order_by(Account.id)
            .limit(2)
        ).all()
        if len(ids) == 1:
            return Found(ids[0], f"{matched} {text}")
    return None
