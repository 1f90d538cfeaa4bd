"""API routes of alerts, disputes and silences (``/api/alerts``, ``/api/disputes``, ``/api/silences``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status

from agent.alerts import disputes, service, silences
from agent.alerts.schemas import (
    ActionRequest,
    AlertDetail,
    AlertEventRead,
    AlertRead,
    DisputeRead,
    DisputeRequest,
    DisputeResolve,
    SilenceCreate,
    SilenceRead,
    SnoozeRequest,
)
from agent.auth.csrf import guard_cookie_writes
from agent.auth.deps import ApiUser, DbSession, require_role
from agent.db.types import utcnow
from rules import Action, TransitionError

router = APIRouter(prefix="/api", tags=["alerts"], dependencies=[Depends(guard_cookie_writes)])
SILENCE_ROLES = ("ops", "admin")


@contextmanager
def http_errors() -> Iterator[None]:
    """Service errors as HTTP answers: unknown -> 404, wrong state -> 409, bad input -> 422."""
    try:
        yield
    except (service.AlertNotFoundError, disputes.DisputeNotFoundError) as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc.args[0])) from None
    except TransitionError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from None
    except ValueError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, detail=str(exc)) from None


@router.get("/alerts", response_model=list[AlertRead])
def list_alerts(
    session: DbSession,
    user: ApiUser,
    state: str | None = None,
    severity: str | None = None,
    rule: str | None = None,
    owner_id: int | None = None,
    account_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> list[AlertRead]:
    """Alerts on the accounts the caller may see, newest change first."""
    found = service.list_alerts(
        session=session,
        principal=user,
        state=state,
        severity=severity,
        rule=rule,
        owner_id=owner_id,
        account_id=account_id,
        limit=limit,
    )
    return [AlertRead.of(listing) for listing in found]


@router.get("/alerts/{alert_id}", response_model=AlertDetail)
def get_alert(session: DbSession, user: ApiUser, alert_id: int) -> AlertDetail:
    """One alert with its history."""
    with http_errors():
        listing = service.get_alert(session=session, principal=user, alert_id=alert_id)
    events = service.list_events(session=session, alert_ids=[alert_id])[alert_id]
    return AlertDetail(
        **AlertRead.of(listing).model_dump(), events=[AlertEventRead.model_validate(e) for e in events]
    )


def _act(session: DbSession, user: ApiUser, alert_id: int, action: Action, reason: str | None) -> AlertDetail:
    with http_errors():
        service.act(
            session=session, principal=user, alert_id=alert_id, action=action, now=utcnow(), reason=reason
        )
    session.commit()
    return get_alert(session, user, alert_id)


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertDetail)
def acknowledge(
    session: DbSession, user: ApiUser, alert_id: int, body: ActionRequest | None = None
) -> AlertDetail:
    """Someone is on it: no more reminders or escalation."""
    return _act(session, user, alert_id, Action.ACKNOWLEDGE, body.reason if body else None)


@router.post("/alerts/{alert_id}/close", response_model=AlertDetail)
def close(session: DbSession, user: ApiUser, alert_id: int, body: ActionRequest | None = None) -> AlertDetail:
    """Resolve by hand; it reopens only after its condition cleared and fired again."""
    return _act(session, user, alert_id, Action.CLOSE, body.reason if body else None)


@router.post("/alerts/{alert_id}/snooze", response_model=AlertDetail)
def snooze(session: DbSession, user: ApiUser, alert_id: int, body: SnoozeRequest) -> AlertDetail:
    """Snooze until a day, or log a promise to pay and snooze until the promised date."""
    with http_errors():
        if body.promise_date is not None:
            service.promise_to_pay(
                session=session,
                principal=user,
                alert_id=alert_id,
                promised_date=body.promise_date,
                amount=body.amount,
                note=body.reason,
                now=utcnow(),
            )
        else:
            service.act(
                session=session,
                principal=user,
                alert_id=alert_id,
                action=Action.SNOOZE,
                now=utcnow(),
                until=body.until,
                reason=body.reason,
            )
    session.commit()
    return get_alert(session, user, alert_id)


@router.post("/alerts/{alert_id}/dispute", response_model=DisputeRead, status_code=status.HTTP_201_CREATED)
def open_dispute(session: DbSession, user: ApiUser, alert_id: int, body: DisputeRequest) -> DisputeRead:
    """Open a dispute on the alert's invoice."""
    with http_errors():
        dispute = disputes.open_dispute(
            session=session,
            principal=user,
            alert_id=alert_id,
            reason=body.reason,
            note=body.note,
            now=utcnow(),
        )
    session.commit()
    return DisputeRead.model_validate(dispute)


@router.post("/disputes/{dispute_id}/resolve", response_model=DisputeRead)
def resolve_dispute(
    session: DbSession, user: ApiUser, dispute_id: int, body: DisputeResolve | None = None
) -> DisputeRead:
    """Close an open dispute."""
    with http_errors():
        dispute = disputes.resolve_dispute(
            session=session,
            principal=user,
            dispute_id=dispute_id,
            note=body.note if body else None,
            now=utcnow(),
        )
    session.commit()
    return DisputeRead.model_validate(dispute)


@router.get("/silences", response_model=list[SilenceRead])
def list_silences(session: DbSession, user: ApiUser, include_expired: bool = False) -> list[SilenceRead]:
    """Silences in force or scheduled (and expired ones on request)."""
    rows = silences.list_silences(session=session, now=utcnow(), include_expired=include_expired)
    return [SilenceRead.model_validate(row) for row in rows]


@router.post("/silences", response_model=SilenceRead, status_code=status.HTTP_201_CREATED)
def create_silence(session: DbSession, user: ApiUser, body: SilenceCreate) -> SilenceRead:
    """Mute matching alerts for a while (ops and admins)."""
    require_role(user, *SILENCE_ROLES)
    with http_errors():
        row = silences.create_silence(
            session=session,
            matchers=body.matchers,
            creator=user.email,
            reason=body.reason,
            starts_at=body.starts_at or utcnow(),
            ends_at=body.ends_at,
        )
    session.commit()
    return SilenceRead.model_validate(row)


@router.delete("/silences/{silence_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_silence(session: DbSession, user: ApiUser, silence_id: int) -> None:
    """End a silence now (ops and admins)."""
    require_role(user, *SILENCE_ROLES)
    if (
        silences.delete_silence(session=session, silence_id=silence_id, actor=user.email, now=utcnow())
        is None
    ):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no silence {silence_id}")
    session.commit()
