"""Merge one account into another: every row that points at it moves, then it goes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from agent.profile.tables import (
    Account,
    AccountDomain,
    AccountExternalId,
    Contact,
    CrmSignal,
    Dispute,
    Invoice,
    Payment,
    PaymentPromise,
)
from agent.sync.tables import CrmDeal

OWNED_ROWS: tuple[Any, ...] = (
    AccountExternalId,
    AccountDomain,
    Contact,
    Invoice,
    Payment,
    CrmSignal,
    PaymentPromise,
    Dispute,
    CrmDeal,
)


def merge_accounts(*, session: Session, source: Account, target: Account) -> None:
    """Move ``source``'s ids, domains, contacts, ledger, signals and deals to ``target``."""
    session.flush()
    for table in OWNED_ROWS:
        session.execute(
            update(table).where(table.account_id == source.id).values(account_id=target.id),
            execution_options={"synchronize_session": False},
        )
    if target.owner_id is None and source.owner_id is not None:
        target.owner_id = source.owner_id
    # Fields the target never had come from the merged record.
    target.field_sources = {**(source.field_sources or {}), **(target.field_sources or {})}
    session.expire_all()
    session.delete(session.get(Account, source.id))
    session.flush()


def account_choices(*, session: Session, ids: list[int]) -> list[Account]:
    """The candidate accounts that still exist, in id order."""
    return list(session.scalars(select(Account).where(Account.id.in_(ids)).order_by(Account.id)))
