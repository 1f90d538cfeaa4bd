"""The request gate: one ASGI middleware in front of every route.

It answers before any route runs, so before FastAPI parses a body:

1. a NUL character in the path or in a query parameter: 422 naming it (PostgreSQL refuses
   NUL in text, and no field of Nudge's has a use for one);
2. a declared ``Content-Length`` above ``NUDGE_MAX_BODY_BYTES``: 413;
3. a request with a body to ``/api/...`` without a valid token: 401, its body never read;
4. the body, counted as it streams (chunked bodies too): 413 once it passes the limit;
   a NUL in a form field or in a JSON string: 422.

The body read here is handed to the application unchanged.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

import anyio.to_thread
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agent.auth.deps import UNAUTHENTICATED, request_token
from agent.auth.service import authenticate
from agent.db.database import Database

NUL_MESSAGE = "text may not contain a NUL character (\\u0000)"
TOKEN_FIRST_PREFIX = "/api/"
# JSON can carry NUL only as the escape \u0000 (not preceded by an escaping backslash).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)


class RequestGate:
    """Refuse oversized, unauthenticated-with-a-body and NUL-carrying requests up front."""

    def __init__(self, app: ASGIApp, *, database: Database, max_body_bytes: int) -> None:
        self.app = app
        self.database = database
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        refusal = _nul_in_url(scope) or self._declared_too_large(connection)
        if refusal is None and _carries_body(connection):
            if connection.url.path.startswith(TOKEN_FIRST_PREFIX) and not await self._authenticated(
                connection
            ):
                refusal = _unauthenticated()
            else:
                body = await _read_body(receive, self.max_body_bytes)
                refusal = self._too_large() if body is None else _nul_in_body(connection, body)
                receive = _replay(body or b"", receive)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _declared_too_large(self, connection: HTTPConnection) -> Response | None:
        declared = connection.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            return self._too_large()
        return None

    def _too_large(self) -> Response:
        detail = f"request body is larger than {self.max_body_bytes} bytes (NUDGE_MAX_BODY_BYTES)"
        return JSONResponse({"detail": detail}, status_code=413)

    async def _authenticated(self, connection: HTTPConnection) -> bool:
        token = request_token(connection)
        if not token:
            return False

        def check() -> bool:
            with self.database.sessions() as session:
                return authenticate(session=session, token=token) is not None

        return await anyio.to_thread.run_sync(check)


def _carries_body(connection: HTTPConnection) -> bool:
    headers = connection.headers
    return headers.get("content-length", "0") != "0" or "transfer-encoding" in headers


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None as soon as it passes ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client went away; the application sees the rest
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that yields ``body`` once, then whatever the client sends (a disconnect)."""
    delivered = False

    async def replayed() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


def _nul_in_url(scope: Scope) -> Response | None:
    if "\x00" in scope["path"]:
        return _nul_refused(["path"])
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            return _nul_refused(["query", name.replace("\x00", "\\u0000")])
    return None


def _nul_in_body(connection: HTTPConnection, body: bytes) -> Response | None:
    kind = connection.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        for name, value in parse_qsl(body.decode("latin-1"), keep_blank_values=True):
            if "\x00" in name or "\x00" in value:
                return _nul_refused(["body", name.replace("\x00", "\\u0000")])
    elif (kind == "application/json" or kind.endswith("+json")) and _JSON_NUL.search(body):
        return _nul_refused(["body"])
    return None


def _nul_refused(loc: list[Any]) -> Response:
    error = {"loc": loc, "msg": NUL_MESSAGE, "type": "nul_character"}
    return JSONResponse({"detail": [error]}, status_code=422)


def _unauthenticated() -> Response:
    return JSONResponse({"detail": UNAUTHENTICATED}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
