"""API routes of the unified profile (``/api/accounts``, ``/api/aging``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status

from agent.accounts import service
from agent.auth.deps import ApiUser, DbSession
from agent.gate.params import RowId, RowOffset
from agent.profile.schemas import AccountDetail, AccountSummary, AgingRead, PersonRead
from agent.settings import Settings

router = APIRouter(prefix="/api", tags=["profile"])


def book_date(request: Request, as_of: date | None) -> date:
    """The as-of date asked for, else the configured book date."""
    settings: Settings = request.app.state.settings
    return as_of or settings.today()


@router.get("/accounts", response_model=list[AccountSummary])
def list_accounts(
    request: Request,
    session: DbSession,
    user: ApiUser,
    q: Annotated[str | None, Query(max_length=200)] = None,
    owner_id: RowId | None = None,
    sort: service.AccountSort = "overdue_ar",
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    offset: Annotated[RowOffset, Query()] = 0,
    as_of: date | None = None,
) -> list[AccountSummary]:
    """Accounts the caller may see, with open and overdue balances."""
    return service.list_accounts(
        session=session,
        principal=user,
        as_of=book_date(request, as_of),
        search=q,
        owner_id=owner_id,
        sort=sort,
        limit=limit,
        offset=offset,
    )


@router.get("/accounts/{account_id}", response_model=AccountDetail)
def get_account(
    request: Request, session: DbSession, user: ApiUser, account_id: RowId, as_of: date | None = None
) -> AccountDetail:
    """One account with invoices, payments, signals, promises and disputes."""
    detail = service.get_account(
        session=session, principal=user, account_id=account_id, as_of=book_date(request, as_of)
    )
    if detail is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no account {account_id}")
    return detail


@router.get("/aging", response_model=list[AgingRead])
def aging(request: Request, session: DbSession, user: ApiUser, as_of: date | None = None) -> list[AgingRead]:
    """Open balance per aging bucket and currency, over the accounts the caller may see."""
    return service.book_aging(session=session, principal=user, as_of=book_date(request, as_of))


@router.get("/owners", response_model=list[PersonRead])
def owners(session: DbSession, user: ApiUser) -> list[PersonRead]:
    """Owners of the accounts the caller may see."""
    return service.list_owners(session=session, principal=user)


@router.get("/me", response_model=PersonRead)
def me(user: ApiUser) -> PersonRead:
    """Who the token belongs to."""
    return PersonRead(id=user.person_id, name=user.name, email=user.email, role=user.role)
