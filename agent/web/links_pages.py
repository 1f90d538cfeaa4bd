"""The page behind an e-mail action link: GET shows what it would do, POST does it.

Mail security scanners (Outlook Safe Links and the like) fetch every link in a message
before the person sees it; a GET that acted would acknowledge alerts nobody read. So the
link's GET only names the alert and the action, with one button that posts back.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from agent.auth.csrf import require_same_origin
from agent.auth.deps import DbSession
from agent.db.types import utcnow
from agent.links.service import DONE, inspect, redeem
from agent.links.tokens import LinkError
from agent.settings import Settings
from agent.web.views import TEMPLATES

router = APIRouter(include_in_schema=False)
Guarded = Annotated[None, Depends(require_same_origin)]
# Nobody should cache or index a page whose URL is a credential.
PRIVATE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer"}


@router.get("/l/{token}", response_class=HTMLResponse)
def confirm(request: Request, session: DbSession, token: str) -> HTMLResponse:
    """Name the alert and the action, with one button (nothing changes yet)."""
    settings: Settings = request.app.state.settings
    try:
        target = inspect(session=session, settings=settings, token=token, now=utcnow())
    except LinkError as exc:
        return _refused(request, exc)
    return _page(request, "link.html", target=target, token=token)


@router.post("/l/{token}", response_class=HTMLResponse)
def act(request: Request, session: DbSession, _origin: Guarded, token: str) -> HTMLResponse:
    """Use the link: the action is taken in the recipient's name, by e-mail."""
    settings: Settings = request.app.state.settings
    try:
        target = redeem(session=session, settings=settings, token=token, now=utcnow())
    except LinkError as exc:
        session.rollback()
        return _refused(request, exc)
    session.commit()
    return _page(request, "link_done.html", target=target, done=DONE[target.claims.action])


def _refused(request: Request, error: LinkError) -> HTMLResponse:
    return _page(request, "link_refused.html", status=error.status, error=error)


def _page(request: Request, template: str, *, status: int = 200, **context: object) -> HTMLResponse:
    response = TEMPLATES.TemplateResponse(request, template, context, status_code=status)
    response.headers.update(PRIVATE)
    return response
