"""Review queue API (``/api/reviews``), for admin and ops (the page is ``agent.web.reviews_pages``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status

from agent.auth.deps import ApiUser, DbSession, require_role
from agent.gate.params import RowId
from agent.profile.tables import MatchReview
from agent.reviews import service
from agent.reviews.schemas import ReviewRead, ReviewResolve

REVIEWER_ROLES = ("admin", "ops")
api = APIRouter(prefix="/api/reviews", tags=["reviews"])


@api.get("", response_model=list[ReviewRead])
def list_reviews(
    session: DbSession, user: ApiUser, state: Annotated[str, Query(alias="status")] = "open"
) -> list[ReviewRead]:
    """Reviews (open by default), oldest first."""
    require_role(user, *REVIEWER_ROLES)
    return service.list_reviews(session=session, status=state)


@api.post("/{review_id}/resolve", response_model=ReviewRead)
def resolve(session: DbSession, user: ApiUser, review_id: RowId, body: ReviewResolve) -> ReviewRead:
    """Merge the record into an account, or keep it as a new one."""
    require_role(user, *REVIEWER_ROLES)
    review = resolve_and_commit(session, review_id, body.account_id, user.person_id)
    return service.to_read(session=session, review=review)


def resolve_and_commit(
    session: DbSession, review_id: int, choice: service.Choice, person_id: int
) -> MatchReview:
    """Resolve a review and commit, or roll back and answer 409 with the reason."""
    try:
        review = service.resolve_review(
            session=session, review_id=review_id, choice=choice, person_id=person_id
        )
    except service.ReviewError as exc:
        session.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from None
    session.commit()
    return review
