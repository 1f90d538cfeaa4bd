"""API routes of alerts, disputes and silences (``/api/alerts``, ``/api/disputes``, ``/api/silences``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status

from agent.alerts import disputes, service, silences
from agent.alerts.schemas import (
    AlertDetail,
    AlertEventRead,
    AlertRead,
    DisputeRead,
    DisputeRequest,
    DisputeResolve,
    NoteRequest,
    PromiseRead,
    PromiseRequest,
    SilenceCreate,
    SilenceRead,
    SnoozeRequest,
)
from agent.auth.csrf import guard_cookie_writes
from agent.auth.deps import ApiUser, DbSession, require_role
from agent.db.types import utcnow
from agent.gate.params import RowId

router = APIRouter(prefix="/api", tags=["alerts"], dependencies=[Depends(guard_cookie_writes)])
SILENCE_ROLES = ("ops", "admin")
# Silences are book-wide (their matchers, reasons and creators span every book): only the
# roles that see the whole book list them; a CSM or manager is answered 403.
SILENCE_VIEWERS = ("admin", "finance", "ops")


@contextmanager
def http_errors() -> Iterator[None]:
    """Service errors as HTTP answers: unknown -> 404, refused action -> 409, bad input -> 422."""
    try:
        yield
    except (service.AlertNotFoundError, disputes.DisputeNotFoundError) as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc.args[0])) from None
    except service.ActionRefusedError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=exc.message) from None
    except ValueError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, detail=str(exc)) from None


@router.get("/alerts", response_model=list[AlertRead])
def list_alerts(
    session: DbSession,
    user: ApiUser,
    state: str | None = None,
    severity: str | None = None,
    rule: str | None = None,
    owner_id: RowId | None = None,
    account_id: RowId | None = None,
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
def get_alert(session: DbSession, user: ApiUser, alert_id: RowId) -> AlertDetail:
    """One alert with its history."""
    with http_errors():
        listing = service.get_alert(session=session, principal=user, alert_id=alert_id)
    events = service.list_events(session=session, alert_ids=[alert_id])[alert_id]
    return AlertDetail(
        **AlertRead.of(listing).model_dump(), events=[AlertEventRead.model_validate(e) for e in events]
    )


def _after(session: DbSession, user: ApiUser, alert_id: RowId) -> AlertDetail:
    session.commit()
    return get_alert(session, user, alert_id)


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertDetail)
def acknowledge(
    session: DbSession, user: ApiUser, alert_id: RowId, body: NoteRequest | None = None
) -> AlertDetail:
    """Someone is on it: no more reminders or escalation (again: no change)."""
    note = body.note if body else None
    with http_errors():
        service.acknowledge(
            session=session, principal=user, alert_id=alert_id, channel="api", now=utcnow(), note=note
        )
    return _after(session, user, alert_id)


@router.post("/alerts/{alert_id}/snooze", response_model=AlertDetail)
def snooze(session: DbSession, user: ApiUser, alert_id: RowId, body: SnoozeRequest) -> AlertDetail:
    """Snooze until a day or for a number of days."""
    with http_errors():
        service.snooze(
            session=session,
            principal=user,
            alert_id=alert_id,
            channel="api",
            now=utcnow(),
            until=body.until,
            duration=None if body.days is None else timedelta(days=body.days),
            note=body.note,
        )
    return _after(session, user, alert_id)


@router.post("/alerts/{alert_id}/promise", response_model=PromiseRead, status_code=status.HTTP_201_CREATED)
def promise(session: DbSession, user: ApiUser, alert_id: RowId, body: PromiseRequest) -> PromiseRead:
    """Log the customer's promise to pay the alert's invoice; the alert snoozes until that day."""
    with http_errors():
        row = service.log_promise(
            session=session,
            principal=user,
            alert_id=alert_id,
            channel="api",
            now=utcnow(),
            promised_date=body.promised_date,
            amount=body.amount,
            note=body.note,
        )
    session.commit()
    return PromiseRead.model_validate(row)


@router.post("/alerts/{alert_id}/dispute", response_model=DisputeRead, status_code=status.HTTP_201_CREATED)
def dispute(session: DbSession, user: ApiUser, alert_id: RowId, body: DisputeRequest) -> DisputeRead:
    """Open a dispute on the alert's invoice."""
    with http_errors():
        row = service.mark_disputed(
            session=session,
            principal=user,
            alert_id=alert_id,
            channel="api",
            now=utcnow(),
            reason=body.reason,
            note=body.note,
        )
    session.commit()
    return DisputeRead.model_validate(row)


@router.post("/alerts/{alert_id}/close", response_model=AlertDetail)
def close(session: DbSession, user: ApiUser, alert_id: RowId, body: NoteRequest | None = None) -> AlertDetail:
    """Resolve by hand; it reopens only after its condition cleared and fired again."""
    note = body.note if body else None
    with http_errors():
        service.close(
            session=session, principal=user, alert_id=alert_id, channel="api", now=utcnow(), note=note
        )
    return _after(session, user, alert_id)


@router.post("/alerts/{alert_id}/reopen", response_model=AlertDetail)
def reopen(
    session: DbSession, user: ApiUser, alert_id: RowId, body: NoteRequest | None = None
) -> AlertDetail:
    """Undo a person's close."""
    note = body.note if body else None
    with http_errors():
        service.reopen(
            session=session, principal=user, alert_id=alert_id, channel="api", now=utcnow(), note=note
        )
    return _after(session, user, alert_id)


@router.post("/disputes/{dispute_id}/resolve", response_model=DisputeRead)
def resolve_dispute(
    session: DbSession, user: ApiUser, dispute_id: RowId, body: DisputeResolve | None = None
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
    """Silences in force or scheduled (and expired ones on request); admin, finance and ops only."""
    require_role(user, *SILENCE_VIEWERS)
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
def delete_silence(session: DbSession, user: ApiUser, silence_id: RowId) -> None:
    """End a silence now (ops and admins)."""
    require_role(user, *SILENCE_ROLES)
    if (
        silences.delete_silence(session=session, silence_id=silence_id, actor=user.email, now=utcnow())
        is None
    ):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no silence {silence_id}")
    session.commit()
