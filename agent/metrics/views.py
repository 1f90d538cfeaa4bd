"""API routes of the receivables metrics, over the accounts the caller may see.

``/api/metrics`` has the shape of ``nudge dso --json``; money is in the reporting
currency (``NUDGE_REPORTING_CURRENCY``), converted at ``NUDGE_FX_RATES``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status

from agent.auth.deps import ApiUser, DbSession
from agent.gate.params import RowId
from agent.metrics import live
from agent.metrics.service import GroupBy
from agent.risk.service import expected_days_late_series
from agent.settings import Settings

router = APIRouter(prefix="/api", tags=["metrics"])
PeriodDays = Annotated[int, Query(ge=1, le=3660, description="days in the period ending on as_of")]


def settings_of(request: Request) -> Settings:
    """The app's settings (reporting currency, rates, book date)."""
    settings: Settings = request.app.state.settings
    return settings


@router.get("/metrics")
def metrics(
    request: Request,
    session: DbSession,
    user: ApiUser,
    as_of: date | None = None,
    period_days: PeriodDays = 30,
    by: GroupBy | None = None,
) -> dict[str, Any]:
    """DSO and every receivables metric; with ``by``, the same per group in ``groups``."""
    settings = settings_of(request)
    ledger = live.visible_ledger(session=session, principal=user)
    return live.metrics_report(
        ledger=ledger, settings=settings, as_of=as_of or settings.today(), period_days=period_days, by=by
    )


@router.get("/metrics/trend")
def trend(
    request: Request, session: DbSession, user: ApiUser, months: Annotated[int, Query(ge=1, le=60)] = 12
) -> dict[str, Any]:
    """Month by month up to today with the 3-month rolling DSO; stored month-end snapshots first."""
    ledger = live.visible_ledger(session=session, principal=user)
    result = live.book_trend(
        session=session, principal=user, ledger=ledger, settings=settings_of(request), months=months
    )
    return result.to_dict()


@router.get("/forecast")
def forecast(
    request: Request, session: DbSession, user: ApiUser, weeks: Annotated[int, Query(ge=1, le=104)] = 13
) -> dict[str, Any]:
    """Expected collections per week after today."""
    ledger = live.visible_ledger(session=session, principal=user)
    delays = expected_days_late_series(session=session)
    return live.book_forecast(
        ledger=ledger, settings=settings_of(request), weeks=weeks, expected_days_late=delays
    ).to_dict()


@router.get("/accounts/{account_id}/metrics")
def account_metrics(
    request: Request, session: DbSession, user: ApiUser, account_id: RowId, period_days: PeriodDays = 30
) -> dict[str, Any]:
    """One account's own DSO, terms, aging and trend."""
    found = live.account_metrics(
        session=session,
        principal=user,
        settings=settings_of(request),
        account_id=account_id,
        period_days=period_days,
    )
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no account {account_id}")
    return found.to_dict()
