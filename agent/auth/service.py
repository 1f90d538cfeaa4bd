"""API tokens and what each role may see."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from agent.auth.tables import ApiToken
from agent.db.types import utcnow
from agent.profile.tables import Account, Person

TOKEN_PREFIX = "ndg_"
BOOK_WIDE_ROLES = frozenset({"admin", "finance", "ops"})
LAST_USED_PRECISION = timedelta(minutes=5)


@dataclass(frozen=True)
class Principal:
    """The authenticated caller."""

    person_id: int
    email: str
    name: str
    role: str
    team_ids: frozenset[int]  # the people whose accounts this caller may see

    @property
    def sees_whole_book(self) -> bool:
        """Admins, finance and ops see every account."""
        return self.role in BOOK_WIDE_ROLES


def hash_token(token: str) -> str:
    """SHA-256 of a token: only this is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(*, session: Session, person: Person, name: str) -> str:
    """Mint a token for ``person``; the clear text is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(person=person, name=name, token_hash=hash_token(token), prefix=token[:10]))
    return token


def authenticate(*, session: Session, token: str) -> Principal | None:
    """The principal behind a live token, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
    )
    if row is None or not can_sign_in(row.person):
        return None
    now = utcnow()
    # A write on every request would serialise readers on SQLite; minute precision is plenty.
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_PRECISION:
        row.last_used_at = now
    return principal_for(session=session, person=row.person)


def can_sign_in(person: Person) -> bool:
    """Active in the CRM and not deactivated in Nudge (which no sync undoes)."""
    return person.active and person.deactivated_at is None


class TokenNotFoundError(LookupError):
    """No token has the id asked for."""


def list_tokens(*, session: Session, email: str | None = None) -> list[ApiToken]:
    """Every token (of one person when ``email`` is given), oldest first."""
    query = select(ApiToken).join(ApiToken.person).order_by(ApiToken.id)
    if email is not None:
        query = query.where(Person.email == email.strip().lower())
    return list(session.scalars(query))


def revoke_token(*, session: Session, token_id: int, now: datetime) -> ApiToken:
    """Revoke a token for good (again: no change); :class:`TokenNotFoundError` if unknown."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise TokenNotFoundError(f"no token with id {token_id}")
    if row.revoked_at is None:
        row.revoked_at = now
    return row


def principal_for(*, session: Session, person: Person) -> Principal:
    """A principal with the team a manager oversees (direct reports)."""
    team = {person.id}
    if person.role == "manager":
        team.update(session.scalars(select(Person.id).where(Person.manager_id == person.id)))
    return Principal(
        person_id=person.id,
        email=person.email,
        name=person.name,
        role=person.role,
        team_ids=frozenset(team),
    )


def visible_accounts(principal: Principal) -> ColumnElement[bool]:
    """SQL condition on :class:`Account` rows the principal may see."""
    if principal.sees_whole_book:
        return true()
    return Account.owner_id.in_(sorted(principal.team_ids))
