"""The review queue: list ambiguous matches, resolve one (merge into a candidate or keep)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.db.types import utcnow
from agent.profile.tables import Account, MatchReview
from agent.reviews.merge import account_choices, merge_accounts
from agent.reviews.schemas import CandidateRead, ReviewRead

Choice = int | Literal["new"]


class ReviewError(ValueError):
    """A resolution that cannot be applied (unknown review or account, already resolved)."""


def list_reviews(*, session: Session, status: str = "open") -> list[ReviewRead]:
    """Reviews with the given status, oldest first, with their candidates' names."""
    reviews = session.scalars(
        select(MatchReview).where(MatchReview.status == status).order_by(MatchReview.id)
    )
    return [to_read(session=session, review=review) for review in reviews]


def to_read(*, session: Session, review: MatchReview) -> ReviewRead:
    """A review as the API and page show it."""
    candidates = account_choices(session=session, ids=[int(c) for c in review.candidates])
    return ReviewRead(
        id=review.id,
        source=review.source,
        external_id=review.external_id,
        record_name=review.record_name,
        record_domain=review.record_domain,
        reason=review.reason,
        status=review.status,
        provisional_account_id=review.provisional_account_id,
        chosen_account_id=review.chosen_account_id,
        candidates=[CandidateRead(id=a.id, name=a.name, domain=a.primary_domain) for a in candidates],
        created_at=review.created_at,
        resolved_at=review.resolved_at,
    )


def resolve_review(*, session: Session, review_id: int, choice: Choice, person_id: int) -> MatchReview:
    """Merge the record's provisional account into ``choice``, or keep it (``"new"``)."""
    review = session.get(MatchReview, review_id)
    if review is None:
        raise ReviewError(f"no review {review_id}")
    if review.status != "open":
        raise ReviewError(f"review {review_id} is already {review.status}")
    provisional = (
        session.get(Account, review.provisional_account_id) if review.provisional_account_id else None
    )
    if choice == "new":
        review.chosen_account_id = review.provisional_account_id
    else:
        target = session.get(Account, choice)
        if target is None or target is provisional:
            raise ReviewError(f"no account {choice} to merge into")
        if provisional is not None:
            merge_accounts(session=session, source=provisional, target=target)
        review.chosen_account_id = target.id
    review.status, review.resolved_by_id, review.resolved_at = "resolved", person_id, utcnow()
    return review
