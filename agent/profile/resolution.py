"""Entity resolution: which account a source's customer record is.

Order: this source's own id; then ids other systems gave (a ``stripe_customer_id`` on a
CRM company names the Stripe customer's account); then the normalised domain; then the
normalised name. An account already linked to a *different* record of the same source is
never a candidate (a source's own records are distinct). Several candidates are not
guessed: the record gets a provisional account of its own, so its invoices still land,
and a :class:`MatchReview` asks a person to merge it into one of the candidates or keep it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from agent.profile.tables import Account, AccountDomain, AccountExternalId, MatchReview
from agent.profile.writer import normalise_domain
from connectors.core.records import AccountRecord
from connectors.core.registry import available

LEGAL_SUFFIXES = frozenset(
    {
        "inc",
        "incorporated",
        "llc",
        "llp",
        "ltd",
        "limited",
        "gmbh",
        "ag",
        "sa",
        "sas",
        "sarl",
        "srl",
        "bv",
        "nv",
        "plc",
        "corp",
        "corporation",
        "co",
        "company",
        "oy",
        "ab",
        "as",
        "pty",
        "pte",
        "kg",
    }
)
_PUNCTUATION = re.compile(r"[^\w\s]")


def other_id_sources() -> dict[str, str]:
    """Keys of ``AccountRecord.other_ids`` and the source whose id each holds, as the
    connectors declare them (``id_fields``: ``stripe_customer_id`` -> ``stripe``)."""
    return {key: name for name, spec in available().items() for key in spec.id_fields}


def normalise_name(name: str | None) -> str | None:
    """``"Acme, Inc."`` -> ``"acme"``: lower case, no punctuation, no trailing legal suffixes."""
    if not name:
        return None
    words = _PUNCTUATION.sub(" ", name.lower()).split()
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words) or None


@dataclass(frozen=True)
class Match:
    """The account a record resolved to; ``review`` is set when the match was ambiguous."""

    account: Account
    created: bool
    review: MatchReview | None = None


class Resolver:
    """Matches account records against the whole profile (lookups loaded once per sync).

    The maps hold Account objects, not ids, so a new account needs no flush to be found.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.other_id_sources = other_id_sources()
        # Strong references: the session's identity map is weak, and a miss costs a query.
        accounts = {a.id: a for a in session.scalars(select(Account))}
        self._links: dict[tuple[str, str], Account] = {}
        self._sources: dict[Account, set[str]] = defaultdict(set)
        for source, external_id, account_id in session.execute(
            select(AccountExternalId.source, AccountExternalId.external_id, AccountExternalId.account_id)
        ):
            self._links[(source, external_id)] = accounts[account_id]
            self._sources[accounts[account_id]].add(source)
        domains = session.execute(select(AccountDomain.domain, AccountDomain.account_id)).tuples()
        self._domains: dict[str, Account] = {domain: accounts[a] for domain, a in domains}
        self._names: dict[str, list[Account]] = defaultdict(list)
        for account in accounts.values():
            self.rename(account, None)

    def linked(self, source: str, external_id: str | None) -> Account | None:
        """The account a source's id is linked to."""
        return self._links.get((source, external_id)) if external_id else None

    def resolve(self, record: AccountRecord) -> Match:
        """Find (or create) the account for ``record``; ambiguity opens a review."""
        found = self.linked(record.source, record.external_id) or self._by_other_ids(record)
        if found is not None:
            return Match(found, created=False)
        domain = normalise_domain(record.domain)
        by_domain = self._free([self._domains[domain]] if domain in self._domains else [], record.source)
        if by_domain:
            return Match(by_domain[0], created=False)
        by_name = self._free(self._names.get(normalise_name(record.name) or "", []), record.source)
        if len(by_name) == 1:
            return Match(by_name[0], created=False)
        account = self._create(record)
        if len(by_name) > 1:
            return Match(account, created=True, review=self._review(record, by_name, account))
        return Match(account, created=True)

    def link(self, account: Account, *, source: str, external_id: str) -> bool:
        """Link a source id to ``account`` unless it already belongs to an account."""
        if (source, external_id) in self._links:
            return False
        link = AccountExternalId(source=source, external_id=external_id)
        if account.id is None:
            account.external_ids.append(link)
        else:
            link.account_id = account.id
            self.session.add(link)
        self._links[(source, external_id)] = account
        self._sources[account].add(source)
        return True

    def unlink(self, *, source: str, external_id: str) -> Account | None:
        """Forget a source id (the record was deleted there); the account stays."""
        account = self._links.pop((source, external_id), None)
        if account is None:
            return None
        self.session.flush()
        self.session.execute(
            delete(AccountExternalId).where(
                AccountExternalId.source == source, AccountExternalId.external_id == external_id
            )
        )
        self._sources[account].discard(source)
        return account

    def add_domain(self, account: Account, domain: str | None) -> None:
        """Remember ``domain`` for ``account`` if no account has it yet."""
        if domain and domain not in self._domains:
            if account.id is None:
                account.domains.append(AccountDomain(domain=domain))
            else:
                self.session.add(AccountDomain(account_id=account.id, domain=domain))
            self._domains[domain] = account

    def rename(self, account: Account, old_name: str | None) -> None:
        """Keep the name index current after ``account.name`` changed."""
        if (old_key := normalise_name(old_name)) and account in self._names[old_key]:
            self._names[old_key].remove(account)
        if new_key := normalise_name(account.name):
            self._names[new_key].append(account)

    def _by_other_ids(self, record: AccountRecord) -> Account | None:
        for key, value in sorted(record.other_ids.items()):
            source = self.other_id_sources.get(key)
            if source is not None and source != record.source:
                found = self.linked(source, value)
                if found is not None:
                    return found
        return None

    def _free(self, candidates: list[Account], source: str) -> list[Account]:
        """Candidates not already holding another record of ``source``."""
        return [c for c in candidates if source not in self._sources.get(c, set())]

    def _create(self, record: AccountRecord) -> Account:
        account = Account(
            name=record.name or f"{record.source} {record.external_id}",
            field_sources={},
            external_ids=[],
            domains=[],
        )
        self.session.add(account)
        self.rename(account, None)
        return account

    def _review(self, record: AccountRecord, candidates: list[Account], account: Account) -> MatchReview:
        self.session.flush()  # ids for the review; ambiguity is rare
        review = MatchReview(
            source=record.source,
            external_id=record.external_id,
            record_name=record.name,
            record_domain=normalise_domain(record.domain),
            reason="several accounts share the name",
            candidates=sorted(c.id for c in candidates),
            provisional_account_id=account.id,
            status="open",
        )
        self.session.add(review)
        return review
