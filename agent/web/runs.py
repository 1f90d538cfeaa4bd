"""The ``/runs`` page: recent sync runs and job runs, for admin, ops and finance."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from agent.auth.deps import DbSession, WebUser, require_role
from agent.db.types import utcnow
from agent.scheduler import service
from agent.web.views import render

router = APIRouter(include_in_schema=False)
RUNS_SHOWN = 50


@router.get("/runs", response_class=HTMLResponse)
def runs_page(request: Request, session: DbSession, user: WebUser) -> HTMLResponse:
    """Syncs (records read and changed, API calls, errors) and the other jobs' runs."""
    require_role(user, *service.RUN_VIEWERS)
    service.reap_dead_runs(session=session, now=utcnow())
    session.commit()
    return render(
        request,
        "runs.html",
        user=user,
        sync_runs=service.recent_sync_runs(session=session, limit=RUNS_SHOWN),
        job_runs=service.recent_job_runs(session=session, limit=RUNS_SHOWN),
    )
