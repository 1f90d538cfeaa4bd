"""The review queue page (``/reviews``), for admin and ops."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from agent.auth.csrf import require_same_origin
from agent.auth.deps import DbSession, WebUser, require_role
from agent.gate.params import RowId
from agent.reviews import service
from agent.reviews.views import REVIEWER_ROLES, resolve_and_commit
from agent.web.views import render

router = APIRouter(include_in_schema=False)


@router.get("/reviews", response_class=HTMLResponse)
def reviews_page(request: Request, session: DbSession, user: WebUser) -> HTMLResponse:
    """The open reviews with a button per candidate."""
    require_role(user, *REVIEWER_ROLES)
    return render(request, "reviews.html", user=user, reviews=service.list_reviews(session=session))


@router.post("/reviews/{review_id}/resolve")
def resolve_from_page(
    request: Request, session: DbSession, user: WebUser, review_id: RowId, account_id: Annotated[str, Form()]
) -> Response:
    """The page's form post; only accepted from this site (Origin/Referer check)."""
    require_same_origin(request)
    require_role(user, *REVIEWER_ROLES)
    choice: service.Choice = "new" if account_id == "new" else _account_id(account_id)
    resolve_and_commit(session, review_id, choice, user.person_id)
    return RedirectResponse("/reviews", status_code=status.HTTP_303_SEE_OTHER)


def _account_id(text: str) -> int:
    if not text.isdigit():
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_ENTITY, detail="account_id must be a number or 'new'"
        )
    return int(text)
