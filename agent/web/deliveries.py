"""The ``/deliveries`` pages: every message, its state, why it did not go, and what it said."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse

from agent.auth.deps import DbSession, WebUser
from agent.delivery import service
from agent.delivery.tables import STATES
from agent.gate.params import RowId
from agent.web.views import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
Filter = Annotated[str | None, Query(max_length=320)]

# A stored e-mail is shown as the recipient saw it, inside a frame that can run nothing,
# load nothing and submit nothing: its own styles are the only thing allowed.
RENDERED_HTML_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox",
    "X-Frame-Options": "SAMEORIGIN",
}


@router.get("/deliveries", response_class=HTMLResponse)
def deliveries_page(
    request: Request,
    session: DbSession,
    user: WebUser,
    channel: Filter = None,
    state: Filter = None,
    recipient: Filter = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
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
        counts=service.counts_by_channel(session=session, principal=user),
        states=STATES,
        filters={"channel": channel or "", "state": state or "", "recipient": recipient or ""},
        page=page,
        pages=max(1, -(-found.total // PAGE_SIZE)),
        sees_all=user.role in service.ALL_DELIVERIES_ROLES,
    )


@router.get("/deliveries/{delivery_id}", response_class=HTMLResponse)
def delivery_page(request: Request, session: DbSession, user: WebUser, delivery_id: RowId) -> HTMLResponse:
    """One message: its state and history, the alerts it carries and what it said."""
    listing = _visible(session, user, delivery_id)
    return render(request, "delivery.html", user=user, item=listing, delivery=listing.delivery)


@router.get("/deliveries/{delivery_id}/html", response_class=HTMLResponse)
def delivery_html(session: DbSession, user: WebUser, delivery_id: RowId) -> HTMLResponse:
    """The HTML part as sent, for the detail page's sandboxed frame."""
    html = _visible(session, user, delivery_id).delivery.html
    if html is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="this message has no HTML part")
    return HTMLResponse(html, headers=RENDERED_HTML_HEADERS)


def _visible(session: DbSession, user: WebUser, delivery_id: int) -> service.DeliveryListing:
    try:
        return service.get_delivery(session=session, principal=user, delivery_id=delivery_id)
    except service.DeliveryNotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from None
