"""Hostile requests turned away by the gate: oversized bodies, bodies before a token, NUL, huge ids."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from agent.app import create_app
from agent.auth.deps import SESSION_COOKIE
from agent.db.database import Database
from agent.settings import Settings
from tests.factories import make_account, make_person, token_for

LIMIT = 64 * 1024
SAME_ORIGIN = {"Origin": "http://testserver"}
UNAUTHENTICATED = "missing or invalid API token (send 'Authorization: Bearer <token>')"
NUL = {"msg": "text may not contain a NUL character (\\u0000)", "type": "nul_character"}


@pytest.fixture
def app(database: Database, settings: Settings) -> FastAPI:
    return create_app(settings=settings.model_copy(update={"max_body_bytes": LIMIT}), database=database)


@pytest.fixture
def admin(session: Session) -> dict[str, str]:
    person = make_person(session, "ada.admin@nudge.example", role="admin")
    make_account(session, "Northwind Logistics", person)
    session.commit()
    return {"Authorization": f"Bearer {token_for(session, person)}"}


class Upload:
    """An ASGI request whose body arrives in chunks; counts how many the server asked for."""

    def __init__(self, path: str, chunks: list[bytes], headers: dict[str, str]) -> None:
        self.path = path
        self.chunks = chunks
        self.headers = headers
        self.chunks_read = 0
        self.answer: dict[str, Any] = {}

    def send_to(self, app: FastAPI) -> int:
        asyncio.run(self._send(app))
        return int(self.answer["status"])

    async def _send(self, app: FastAPI) -> None:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": self.path,
            "raw_path": self.path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(k.lower().encode(), v.encode()) for k, v in self.headers.items()],
            "client": ("127.0.0.1", 5000),
            "server": ("testserver", 80),
        }
        await app(scope, self._receive, self._send_message)

    async def _receive(self) -> dict[str, Any]:
        if self.chunks_read == len(self.chunks):
            return {"type": "http.disconnect"}
        self.chunks_read += 1
        more = self.chunks_read < len(self.chunks)
        return {"type": "http.request", "body": self.chunks[self.chunks_read - 1], "more_body": more}

    async def _send_message(self, message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.answer["status"] = message["status"]


def test_an_unauthenticated_api_write_is_refused_before_its_body_is_read(app: FastAPI) -> None:
    upload = Upload(
        "/api/rules",
        [b'{"texts": {"a.yaml": "' + b"x" * 1000] * 20,
        {"content-type": "application/json", "transfer-encoding": "chunked"},
    )
    assert upload.send_to(app) == 401
    assert upload.chunks_read == 0


def test_an_unauthenticated_api_write_with_broken_json_is_401_not_422(app: FastAPI) -> None:
    answer = TestClient(app).post(
        "/api/rules", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 401
    assert answer.json() == {"detail": UNAUTHENTICATED}
    assert answer.headers["WWW-Authenticate"] == "Bearer"


def test_a_declared_body_over_the_limit_is_413(app: FastAPI, admin: dict[str, str]) -> None:
    answer = TestClient(app).post("/api/rules", content=b"x" * (LIMIT + 1), headers=admin)
    assert answer.status_code == 413
    assert answer.json() == {"detail": f"request body is larger than {LIMIT} bytes (NUDGE_MAX_BODY_BYTES)"}


def test_a_chunked_body_is_counted_as_it_streams_and_cut_off_past_the_limit(
    app: FastAPI, admin: dict[str, str]
) -> None:
    chunk = b"x" * (LIMIT // 4)
    headers = {**admin, "content-type": "application/json", "transfer-encoding": "chunked"}
    upload = Upload("/api/rules", [chunk] * 50, headers)
    assert upload.send_to(app) == 413
    assert upload.chunks_read == 5  # the fifth chunk passed the limit; nothing more was read


def test_a_body_under_the_limit_reaches_the_route(app: FastAPI, admin: dict[str, str]) -> None:
    answer = TestClient(app).post("/api/rules", json={"texts": {"a.yaml": "name: [broken"}}, headers=admin)
    assert answer.status_code == 422
    assert "a.yaml:1:" in str(answer.json()["detail"])


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/accounts?q=north%00wind", "q"),
        ("/api/alerts?state=%00", "state"),
        ("/api/alerts?rule=overdue%00", "rule"),
        ("/api/jobs/runs?name=%00", "name"),
        ("/api/sync/runs?source=hubspot%00", "source"),
        ("/api/sync/runs?status=%00", "status"),
        ("/?q=%00", "q"),
        ("/inbox?state=%00", "state"),
    ],
)
def test_a_nul_in_a_query_parameter_is_422_naming_it(
    app: FastAPI, admin: dict[str, str], url: str, parameter: str
) -> None:
    answer = TestClient(app).get(url, headers=admin)
    assert answer.status_code == 422
    assert answer.json() == {"detail": [{"loc": ["query", parameter], **NUL}]}


def test_a_nul_in_the_path_is_422(app: FastAPI, admin: dict[str, str]) -> None:
    answer = TestClient(app).get("/api/reviews/%00", headers=admin)
    assert answer.status_code == 422
    assert answer.json() == {"detail": [{"loc": ["path"], **NUL}]}


def test_a_nul_in_a_json_string_is_422(app: FastAPI, admin: dict[str, str]) -> None:
    body = {"matchers": ["rule=overdue"], "reason": "quiet\u0000please", "ends_at": "2030-01-01T00:00:00Z"}
    answer = TestClient(app).post("/api/silences", json=body, headers=admin)
    assert answer.status_code == 422
    assert answer.json() == {"detail": [{"loc": ["body"], **NUL}]}


def test_an_escaped_backslash_before_u0000_is_plain_text(app: FastAPI, admin: dict[str, str]) -> None:
    body = {"matchers": ["rule=overdue"], "reason": "path C:\\u0000", "ends_at": "2030-01-01T00:00:00Z"}
    answer = TestClient(app).post("/api/silences", json=body, headers=admin)
    assert answer.status_code == 201
    assert answer.json()["reason"] == "path C:\\u0000"


def test_a_nul_in_a_form_field_is_422_naming_it(
    app: FastAPI, session: Session, admin: dict[str, str]
) -> None:
    client = TestClient(app)
    client.cookies.set(SESSION_COOKIE, admin["Authorization"].removeprefix("Bearer "))
    answer = client.post("/rules", data={"file": "x.yaml", "text": "name: x\x00"}, headers=SAME_ORIGIN)
    assert answer.status_code == 422
    assert answer.json() == {"detail": [{"loc": ["body", "text"], **NUL}]}


@pytest.mark.parametrize(
    ("method", "url", "parameter"),
    [
        ("GET", "/api/accounts?offset=10820045156303629189120", ["query", "offset"]),
        ("GET", "/api/alerts?owner_id=1151561431507443908608", ["query", "owner_id"]),
        ("DELETE", "/api/silences/1151561431507443908608", ["path", "silence_id"]),
        ("GET", "/api/accounts/99999999999", ["path", "account_id"]),
        ("GET", "/api/alerts/2147483648", ["path", "alert_id"]),
        ("GET", "/deliveries?page=99999999999", ["query", "page"]),
    ],
)
def test_an_id_or_offset_out_of_range_is_422(
    app: FastAPI, admin: dict[str, str], method: str, url: str, parameter: list[str]
) -> None:
    answer = TestClient(app).request(method, url, headers={**admin, **SAME_ORIGIN})
    assert answer.status_code == 422
    (error,) = answer.json()["detail"]
    assert error["loc"] == parameter
    assert error["msg"].startswith("Input should be less than or equal to")


def test_the_largest_id_is_a_404(app: FastAPI, admin: dict[str, str]) -> None:
    answer = TestClient(app).get("/api/accounts/2147483647", headers=admin)
    assert answer.status_code == 404
