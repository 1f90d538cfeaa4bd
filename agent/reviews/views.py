"""Review queue API (``/api/reviews``) and page (``/reviews``), for admin and ops."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from agent.auth.deps import ApiUser, DbSession, WebUser, require_role
from agent.reviews import service
from agent.reviews.schemas import ReviewRead, ReviewResolve
from agent.reviews.tables import MatchReview
from agent.web.csrf import require_same_origin
from agent.web.views import render

REVIEWER_ROLES = ("admin", "ops")
api = APIRouter(prefix="/api/reviews", tags=["reviews"])
pages = APIRouter(include_in_schema=False)


@api.get("", response_model=list[ReviewRead])
def list_reviews(
    session: DbSession, user: ApiUser, state: Annotated[str, Query(alias="status")] = "open"
) -> list[ReviewRead]:
    """Reviews (open by default), oldest first."""
    require_role(user, *REVIEWER_ROLES)
    return service.list_reviews(session=session, status=state)


@api.post("/{review_id}/resolve", response_model=ReviewRead)
def resolve(session: DbSession, user: ApiUser, review_id: int, body: ReviewResolve) -> ReviewRead:
    """Merge the record into an account, or keep it as a new one."""
    require_role(user, *REVIEWER_ROLES)
    review = _resolve(session, review_id, body.account_id, user.person_id)
    return service.to_read(session=session, review=review)


@pages.get("/reviews", response_class=HTMLResponse)
def reviews_page(request: Request, session: DbSession, user: WebUser) -> HTMLResponse:
    """The open reviews with a button per candidate."""
    require_role(user, *REVIEWER_ROLES)
    return render(request, "reviews.html", user=user, reviews=service.list_reviews(session=session))


@pages.post("/reviews/{review_id}/resolve")
def resolve_from_page(
    request: Request, session: DbSession, user: WebUser, review_id: int, account_id: Annotated[str, Form()]
) -> Response:
    """The page's form post; only accepted from this site (Origin/Referer check)."""
    require_same_origin(request)
    require_role(user, *REVIEWER_ROLES)
    choice: service.Choice = "new" if account_id == "new" else _account_id(account_id)
    _resolve(session, review_id, choice, user.person_id)
    return RedirectResponse("/reviews", status_code=status.HTTP_303_SEE_OTHER)


def _resolve(session: DbSession, review_id: int, choice: service.Choice, person_id: int) -> MatchReview:
    try:
        review = service.resolve_review(
            session=session, review_id=review_id, choice=choice, person_id=person_id
        )
    except service.ReviewError as exc:
        session.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from None
    session.commit()
    return review


def _account_id(text: str) -> int:
    if not text.isdigit():
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_ENTITY, detail="account_id must be a number or 'new'"
        )
    return int(text)
