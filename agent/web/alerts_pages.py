"""Web pages of alerts: the inbox with filters, and every alert card's action forms (the action service)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from agent.accounts import service as profile_service
from agent.alerts import service
from agent.auth.csrf import require_same_origin, safe_next
from agent.auth.deps import DbSession, WebUser
from agent.db.types import utcnow
from agent.gate.params import RowId
from agent.web.views import render

router = APIRouter(include_in_schema=False)
STATES = ("firing", "acknowledged", "snoozed", "resolved")
SEVERITIES = ("critical", "high", "medium", "low", "info")
SNOOZE_DAYS = 7
Guarded = Annotated[None, Depends(require_same_origin)]
Verb = Literal["acknowledge", "snooze", "promise", "dispute", "close", "reopen"]


@router.get("/inbox", response_class=HTMLResponse)
def inbox(
    request: Request,
    session: DbSession,
    user: WebUser,
    state: str = "firing",
    severity: str = "",
    rule: str = "",
    owner_id: str = "",
) -> HTMLResponse:
    """Alerts on the caller's accounts, filtered, with action buttons."""
    owner = int(owner_id) if owner_id.isdigit() else None
    alerts = service.list_alerts(
        session=session, principal=user, state=state, severity=severity, rule=rule, owner_id=owner
    )
    return render(
        request,
        "inbox.html",
        user=user,
        alerts=alerts,
        filters={"state": state, "severity": severity, "rule": rule, "owner_id": owner},
        states=STATES,
        severities=SEVERITIES,
        rules=service.alert_rules(session=session),
        owners=profile_service.list_owners(session=session, principal=user),
        today=utcnow().date(),
        here=request.url.path + ("?" + request.url.query if request.url.query else ""),
        notice=request.query_params.get("notice"),
    )


@router.post("/inbox/{alert_id}/{verb}")
def act(
    session: DbSession,
    user: WebUser,
    _origin: Guarded,
    alert_id: RowId,
    verb: Verb,
    next_url: Annotated[str, Form(alias="next")] = "/inbox",
    promise_date: Annotated[date | None, Form()] = None,
    amount: Annotated[Decimal | None, Form()] = None,
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Act on an alert through the action service, then back to the page (with the refusal, if any)."""
    back = safe_next(next_url, "/inbox")
    try:
        _dispatch(session, user, alert_id, verb, promise_date=promise_date, amount=amount, reason=reason)
    except service.AlertNotFoundError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no alert {alert_id}") from None
    except service.ActionRefusedError as exc:
        session.rollback()
        return RedirectResponse(_with_notice(back, exc.message), status_code=status.HTTP_303_SEE_OTHER)
    session.commit()
    return RedirectResponse(back, status_code=status.HTTP_303_SEE_OTHER)


def _dispatch(
    session: DbSession,
    user: WebUser,
    alert_id: RowId,
    verb: Verb,
    *,
    promise_date: date | None,
    amount: Decimal | None,
    reason: str,
) -> None:
    """One form's verb as the service call it names."""
    common: dict[str, Any] = {
        "session": session,
        "principal": user,
        "alert_id": alert_id,
        "channel": "web",
        "now": utcnow(),
    }
    if verb == "acknowledge":
        service.acknowledge(**common)
    elif verb == "snooze":
        service.snooze(**common, duration=timedelta(days=SNOOZE_DAYS))
    elif verb == "promise":
        if promise_date is None:
            raise service.ActionRefusedError("give the date the customer promised to pay by")
        service.log_promise(**common, promised_date=promise_date, amount=amount)
    elif verb == "dispute":
        service.mark_disputed(**common, reason=reason)
    elif verb == "close":
        service.close(**common)
    else:
        service.reopen(**common)


def _with_notice(path: str, notice: str) -> str:
    """``path`` with ``notice`` replacing any notice it already carried."""
    base, _, query = path.partition("?")
    kept = [(name, value) for name, value in parse_qsl(query) if name != "notice"]
    return f"{base}?{urlencode([*kept, ('notice', notice)])}"
