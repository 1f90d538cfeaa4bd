"""Web pages: login, account list, account page, receivables dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from agent.accounts import service
from agent.alerts import service as alerts_service
from agent.auth.deps import SESSION_COOKIE, DbSession, WebUser
from agent.auth.service import authenticate
from agent.db.types import utcnow
from agent.gate.params import RowId
from agent.metrics import live
from agent.metrics.rates import UnknownCurrencyError
from agent.risk.service import account_risk
from agent.settings import Settings
from agent.web.charts import aging_bars
from agent.web.dashboard import build_dashboard
from agent.web.format import compact_money, days, money, percent
from agent.web.metric_charts import account_trend_chart, aging_chart, forecast_chart, trend_chart

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
TEMPLATES.env.filters.update(money=money, compact_money=compact_money, days=days, percent=percent)
router = APIRouter(include_in_schema=False)


def render(request: Request, template: str, **context: Any) -> HTMLResponse:
    """Render a page with the settings and user available to every template."""
    return TEMPLATES.TemplateResponse(request, template, context)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, session: DbSession, token: str | None = None) -> Response:
    """The sign-in form; ``?token=`` signs in directly (the link ``nudge demo`` prints)."""
    if token:
        return _sign_in(request, session, token)
    return render(request, "login.html", error=None)


@router.post("/login", response_class=HTMLResponse)
def login_submit(request: Request, session: DbSession, token: Annotated[str, Form()]) -> Response:
    """Sign in with an API token."""
    return _sign_in(request, session, token.strip())


def _sign_in(request: Request, session: DbSession, token: str) -> Response:
    principal = authenticate(session=session, token=token)
    session.commit()
    if principal is None:
        return TEMPLATES.TemplateResponse(
            request, "login.html", {"error": "That token is not valid."}, status_code=401
        )
    response = RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax", secure=request.url.scheme == "https"
    )
    return response


@router.post("/logout")
def logout() -> Response:
    """Forget the session cookie."""
    response = RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/", response_class=HTMLResponse)
def accounts_page(
    request: Request,
    session: DbSession,
    user: WebUser,
    q: str | None = None,
    owner_id: RowId | None = None,
    sort: service.AccountSort = "overdue_ar",
) -> HTMLResponse:
    """The account list with open and overdue AR, and the book's aging."""
    settings: Settings = request.app.state.settings
    as_of = settings.today()
    accounts = service.list_accounts(
        session=session, principal=user, as_of=as_of, search=q, owner_id=owner_id, sort=sort
    )
    aging = service.book_aging(session=session, principal=user, as_of=as_of)
    return render(
        request,
        "accounts.html",
        user=user,
        as_of=as_of,
        accounts=accounts,
        aging=aging,
        charts=[aging_bars(entry) for entry in aging],
        owners=service.list_owners(session=session, principal=user),
        q=q or "",
        owner_id=owner_id,
        sort=sort,
    )


@router.get("/accounts/{account_id}", response_class=HTMLResponse)
def account_page(request: Request, session: DbSession, user: WebUser, account_id: RowId) -> HTMLResponse:
    """One account: balances, its DSO, terms, aging and trend, alerts and their history, invoices..."""
    settings: Settings = request.app.state.settings
    as_of = settings.today()
    detail = service.get_account(session=session, principal=user, account_id=account_id, as_of=as_of)
    if detail is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no account {account_id}")
    alerts, history = alerts_service.account_alerts(session=session, principal=user, account_id=account_id)
    page: dict[str, Any] = {
        "user": user,
        "as_of": as_of,
        "account": detail,
        "alerts": alerts,
        "history": history,
        "here": request.url.path,
        "today": utcnow().date(),
        "notice": request.query_params.get("notice"),
        "risk": account_risk(session=session, principal=user, account_id=account_id) or [],
    }
    try:
        found = live.account_metrics(
            session=session, principal=user, settings=settings, account_id=account_id
        )
    except UnknownCurrencyError as exc:  # the page still shows the account, with the fix to apply
        return render(request, "account.html", **page, receivables=None, error=exc)
    charts = {"trend": account_trend_chart(found.trend), "aging": aging_chart(found.metrics)} if found else {}
    return render(
        request,
        "account.html",
        **page,
        receivables=found,
        charts=charts,
        error=None,
    )


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request, session: DbSession, user: WebUser) -> HTMLResponse:
    """DSO and its variants, trend, aging, cash forecast, per CSM and who needs attention."""
    settings: Settings = request.app.state.settings
    try:
        board = build_dashboard(session=session, principal=user, settings=settings)
    except UnknownCurrencyError as exc:
        return render(request, "dashboard.html", user=user, board=None, error=exc)
    charts = {
        "trend": trend_chart(board.trend),
        "aging": aging_chart(board.metrics),
        "forecast": forecast_chart(board.forecast),
    }
    return render(request, "dashboard.html", user=user, board=board, charts=charts, error=None)
