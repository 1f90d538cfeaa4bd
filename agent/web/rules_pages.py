"""The rules page: the running rule files, their versions and diffs, and an editor that validates."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from agent.auth.csrf import require_same_origin
from agent.auth.deps import DbSession, WebUser, require_role
from agent.auth.service import Principal
from agent.rulesets import service
from agent.rulesets.tables import RuleSetVersion
from agent.web.views import render

router = APIRouter(include_in_schema=False)
EDITOR_ROLES = ("ops", "admin")
FILE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,80}\.ya?ml$")


@router.get("/rules", response_class=HTMLResponse)
def rules_page(request: Request, session: DbSession, user: WebUser, file: str | None = None) -> HTMLResponse:
    """The active rule files, one open in the editor, and every version with its diff."""
    active = service.seed_from_pack(session=session)
    session.commit()
    name = file if file in active.texts else min(active.texts)
    return _page(request, session, user, active, name, active.texts[name], errors=[])


@router.post("/rules", response_class=HTMLResponse)
def rules_submit(
    request: Request,
    session: DbSession,
    user: WebUser,
    _origin: Annotated[None, Depends(require_same_origin)],
    file: Annotated[str, Form()],
    text: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
) -> Response:
    """Validate the edited file with the whole set; activate it as a new version or show the errors."""
    require_role(user, *EDITOR_ROLES)
    active = service.seed_from_pack(session=session)
    text = text.replace("\r\n", "\n")
    if not FILE_NAME.match(file):
        errors = [f"{file}: a rule file name is lowercase letters, digits, '-' or '_', ending in .yaml"]
        return _page(request, session, user, active, file, text, errors=errors, code=422)
    outcome = service.replace_file(session=session, name=file, text=text, actor=user.email, note=note)
    if outcome.version is None:
        session.rollback()
        return _page(request, session, user, active, file, text, errors=outcome.errors, code=422)
    session.commit()
    query = urlencode({"file": file, "notice": f"Version {outcome.version.version} is now running."})
    return RedirectResponse(f"/rules?{query}", status_code=status.HTTP_303_SEE_OTHER)


def _page(
    request: Request,
    session: DbSession,
    user: Principal,
    active: RuleSetVersion,
    name: str,
    text: str,
    *,
    errors: list[str],
    code: int = 200,
) -> HTMLResponse:
    response = render(
        request,
        "rules.html",
        user=user,
        active=active,
        files=sorted(active.texts),
        file=name,
        text=text,
        errors=errors,
        versions=service.list_versions(session=session),
        can_edit=user.role in EDITOR_ROLES,
        notice=request.query_params.get("notice"),
    )
    response.status_code = code
    return response
