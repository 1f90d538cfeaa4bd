"""Apply CRM/billing account records to accounts: resolution, field priority, owner, links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from agent.db.types import utcnow
from agent.profile.priority import FieldPriority
from agent.profile.resolution import Resolver
from agent.profile.tables import Account, Person
from agent.profile.writer import ProfileWriter, normalise_domain
from connectors.core.records import AccountRecord


def apply_account(
    record: AccountRecord, *, resolver: Resolver, writer: ProfileWriter, priority: FieldPriority
) -> bool:
    """Write one account record; True when the profile changed."""
    if record.deleted:
        # The company is gone from that system: the account keeps what other sources
        # say, but no longer answers to this id.
        return resolver.unlink(source=record.source, external_id=record.external_id) is not None
    match = resolver.resolve(record)
    account = match.account
    changed = match.created
    changed |= resolver.link(account, source=record.source, external_id=record.external_id)
    for key, value in record.other_ids.items():
        if (other := resolver.other_id_sources.get(key)) is not None:
            changed |= resolver.link(account, source=other, external_id=value)
    domain = normalise_domain(record.domain)
    resolver.add_domain(account, domain)
    old_name = account.name
    changed |= _write_fields(account, _values(record, domain, writer), record, priority)
    if account.name != old_name:
        resolver.rename(account, old_name)
    return changed


def _values(record: AccountRecord, domain: str | None, writer: ProfileWriter) -> dict[str, Any]:
    owner: Person | None = None
    if record.owner_email:
        owner, _ = writer.person(email=record.owner_email)
    return {
        "name": record.name,
        "primary_domain": domain,
        "country": record.country,
        "currency": record.currency.upper() if record.currency else None,
        "owner": owner,
    }


def _write_fields(
    account: Account, values: dict[str, Any], record: AccountRecord, priority: FieldPriority
) -> bool:
    """Set each field this source may write; remember who wrote it and when it was seen."""
    sources = dict(account.field_sources or {})
    seen_at = _iso(record.updated_at or utcnow())
    changed = False
    for name, value in values.items():
        if value is None:
            continue
        current = (sources.get(name) or {}).get("source")
        if not priority.may_write(name, record.source, current):
            continue
        if getattr(account, name) is not value and getattr(account, name) != value:
            setattr(account, name, value)
            changed = True
        sources[name] = {"source": record.source, "seen_at": seen_at}
    if sources != account.field_sources:
        account.field_sources = sources
    return changed


def _iso(when: datetime) -> str:
    return when.isoformat()
