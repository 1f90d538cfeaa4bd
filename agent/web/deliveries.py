"""The ``/deliveries`` page: every message, its state, why it did not go, and what it said."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from agent.auth.deps import DbSession, WebUser
from agent.delivery import service
from agent.delivery.tables import STATES
from agent.web.views import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
Filter = Annotated[str | None, Query(max_length=320)]


@router.get("/deliveries", response_class=HTMLResponse)
def deliveries_page(
    request: Request,
    session: DbSession,
    user: WebUser,
    channel: Filter = None,
    state: Filter = None,
    recipient: Filter = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    """Messages newest first (admin and ops: everyone's; others: their own)."""
    found = service.list_deliveries(
        session=session,
        principal=user,
        channel=channel or None,
        state=state or None,
        recipient=recipient or None,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    return render(
        request,
        "deliveries.html",
        user=user,
        found=found,
        states=STATES,
        filters={"channel": channel or "", "state": state or "", "recipient": recipient or ""},
        page=page,
        pages=max(1, -(-found.total // PAGE_SIZE)),
        sees_all=user.role in service.ALL_DELIVERIES_ROLES,
    )
