"""FastAPI dependencies: the database session and the authenticated caller."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from agent.auth.service import Principal, authenticate
from agent.db.database import Database

SESSION_COOKIE = "nudge_session"
UNAUTHENTICATED = "missing or invalid API token (send 'Authorization: Bearer <token>')"


class LoginRequiredError(Exception):
    """A browser page was asked for without a valid session (redirected to /login)."""


def get_database(request: Request) -> Database:
    """The app's database handle."""
    database: Database = request.app.state.database
    return database


def get_session(request: Request) -> Iterator[Session]:
    """A session per request; the view commits what it changes."""
    session = get_database(request).sessions()
    try:
        yield session
    finally:
        session.close()


DbSession = Annotated[Session, Depends(get_session)]


def bearer_token(connection: HTTPConnection) -> str | None:
    """The token of an ``Authorization: Bearer`` header, if the request has one."""
    scheme, _, value = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def request_token(connection: HTTPConnection) -> str | None:
    """The token that authenticates a request: the bearer header, else the session cookie."""
    return bearer_token(connection) or connection.cookies.get(SESSION_COOKIE)


def api_principal(request: Request, session: DbSession) -> Principal:
    """The caller of an API route; 401 without a valid token."""
    principal = _resolve(request, session)
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail=UNAUTHENTICATED,
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


def web_principal(request: Request, session: DbSession) -> Principal:
    """The user of a web page; redirected to the login page without a session."""
    principal = _resolve(request, session)
    if principal is None:
        raise LoginRequiredError
    return principal


def _resolve(request: Request, session: Session) -> Principal | None:
    token = request_token(request)
    if not token:
        return None
    principal = authenticate(session=session, token=token)
    session.commit()  # last_used_at
    return principal


ApiUser = Annotated[Principal, Depends(api_principal)]
WebUser = Annotated[Principal, Depends(web_principal)]


def require_role(principal: Principal, *roles: str) -> None:
    """403 unless the principal has one of ``roles``."""
    if principal.role not in roles:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"role '{principal.role}' may not do this (needs {' or '.join(roles)})",
        )
