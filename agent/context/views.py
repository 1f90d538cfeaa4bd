"""``GET /api/v1/context``: the account context for a card, by source object id, domain or email."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import JSONResponse

from agent.auth.deps import ApiUser, DbSession
from agent.context.lookup import BadLookupError, parse_lookup
from agent.context.schemas import AccountContext
from agent.context.service import account_context
from agent.settings import Settings

router = APIRouter(prefix="/api/v1", tags=["context"])
NOT_FOUND = {"description": "No account the caller may see matches the lookup"}
MALFORMED = {"description": "Not exactly one well-formed lookup"}
UNPROCESSABLE = 422  # starlette renamed its constant; the number is the contract


@router.get(
    "/context",
    response_model=AccountContext,
    responses={status.HTTP_404_NOT_FOUND: NOT_FOUND, UNPROCESSABLE: MALFORMED},
)
def get_context(
    request: Request,
    session: DbSession,
    user: ApiUser,
    source: Annotated[str | None, Query(description="hubspot, salesforce or stripe")] = None,
    object_name: Annotated[
        str | None, Query(alias="object", description="e.g. company, contact, deal, opportunity")
    ] = None,
    object_id: Annotated[str | None, Query(alias="id", description="the object's id in that source")] = None,
    domain: Annotated[str | None, Query(description="a web domain; subdomains find their parent")] = None,
    email: Annotated[str | None, Query(description="a contact's address, else its domain")] = None,
) -> AccountContext | JSONResponse:
    """Everything a card shows about one account: risk, alerts and their actions, overdue invoices, DSO."""
    try:
        lookup = parse_lookup(
            source=source, object_name=object_name, object_id=object_id, domain=domain, email=email
        )
    except BadLookupError as exc:
        return JSONResponse({"detail": str(exc)}, status_code=UNPROCESSABLE)
    settings: Settings = request.app.state.settings
    context = account_context(
        session=session,
        principal=user,
        settings=settings,
        lookup=lookup,
        base_url=settings.public_url or str(request.base_url),
    )
    if context is None:
        return JSONResponse(
            {"detail": f"no account found for {lookup.describe()}", "lookup": lookup.query()},
            status_code=status.HTTP_404_NOT_FOUND,
        )
    return context
