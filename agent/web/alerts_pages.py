"""Web pages of alerts: the inbox with filters and actions (forms posting to the same services)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from agent.accounts import service as profile_service
from agent.alerts import service
from agent.auth.csrf import require_same_origin, safe_next
from agent.auth.deps import DbSession, WebUser
from agent.db.types import utcnow
from agent.web.views import render
from rules import Action, TransitionError

router = APIRouter(include_in_schema=False)
STATES = ("firing", "acknowledged", "snoozed", "resolved")
SEVERITIES = ("critical", "high", "medium", "low", "info")
SNOOZE_DAYS = 7
Guarded = Annotated[None, Depends(require_same_origin)]
Verb = Literal["acknowledge", "snooze", "promise", "close"]


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
    alert_id: int,
    verb: Verb,
    next_url: Annotated[str, Form(alias="next")] = "/inbox",
    promise_date: Annotated[date | None, Form()] = None,
) -> Response:
    """Acknowledge, snooze 7 days, log a promise to pay, or close; then back to the page."""
    now = utcnow()
    back = safe_next(next_url, "/inbox")
    try:
        if verb == "promise":
            if promise_date is None:
                raise ValueError("give the date the customer promised to pay by")
            service.promise_to_pay(
                session=session, principal=user, alert_id=alert_id, promised_date=promise_date, now=now
            )
        else:
            until = now.date() + timedelta(days=SNOOZE_DAYS) if verb == "snooze" else None
            service.act(
                session=session, principal=user, alert_id=alert_id, action=Action(verb), now=now, until=until
            )
    except service.AlertNotFoundError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no alert {alert_id}") from None
    except (TransitionError, ValueError) as exc:
        session.rollback()
        return RedirectResponse(_with_notice(back, str(exc)), status_code=status.HTTP_303_SEE_OTHER)
    session.commit()
    return RedirectResponse(back, status_code=status.HTTP_303_SEE_OTHER)


def _with_notice(path: str, notice: str) -> str:
    """``path`` with ``notice`` replacing any notice it already carried."""
    base, _, query = path.partition("?")
    kept = [(name, value) for name, value in parse_qsl(query) if name != "notice"]
    return f"{base}?{urlencode([*kept, ('notice', notice)])}"
