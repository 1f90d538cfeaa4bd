"""``nudge token list/revoke`` and ``nudge person deactivate``: a token stops working for good."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from agent.app import create_app
from agent.cli.main import main
from agent.db.database import Database
from agent.profile.priority import FieldPriority
from agent.settings import Settings
from agent.sync.apply import ProfileSync
from connectors.core.records import PersonRecord
from tests.factories import make_person, token_for


@pytest.fixture
def api(database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setenv("NUDGE_DATABASE_URL", database.engine.url.render_as_string(hide_password=False))
    return TestClient(create_app(settings=settings, database=database))


def status_with(api: TestClient, token: str) -> int:
    return api.get("/api/accounts", headers={"Authorization": f"Bearer {token}"}).status_code


def test_a_revoked_token_is_listed_as_such_and_refused(
    api: TestClient, session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    maya = make_person(session, "maya.chen@nudge.example")
    kept, revoked = token_for(session, maya), token_for(session, maya)
    capsys.readouterr()
    assert main(["token", "revoke", "2"]) == 0
    assert capsys.readouterr().out == f"token 2 ({revoked[:10]}..., maya.chen@nudge.example) revoked\n"
    assert (status_with(api, kept), status_with(api, revoked)) == (200, 401)
    assert main(["token", "list", "maya.chen@nudge.example"]) == 0
    lines = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [(f[0], f[1], f[2], f[-1].split(" ")[0]) for f in lines] == [
        ("1", f"{kept[:10]}...", "maya.chen@nudge.example", "live"),
        ("2", f"{revoked[:10]}...", "maya.chen@nudge.example", "revoked"),
    ]
    assert lines[0][5] != "used never"  # the API call above used it
    assert lines[1][5] == "used never"


def test_revoking_an_unknown_token_is_a_user_error(
    api: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "revoke", "999"]) == 2
    assert "no token with id 999" in capsys.readouterr().err


def test_a_person_deactivated_in_nudge_stays_out_after_a_crm_sync(
    api: TestClient, session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    maya = make_person(session, "maya.chen@nudge.example")
    token = token_for(session, maya)
    assert main(["person", "deactivate", "maya.chen@nudge.example"]) == 0
    assert status_with(api, token) == 401
    sync = ProfileSync(session=session, source="hubspot", priority=FieldPriority(), today=date(2026, 11, 20))
    record = PersonRecord(source="hubspot", external_id="42", email="maya.chen@nudge.example", active=True)
    sync.apply([record])
    session.commit()
    assert status_with(api, token) == 401
    assert main(["person", "reactivate", "maya.chen@nudge.example"]) == 0
    assert status_with(api, token) == 200
    assert capsys.readouterr().out.splitlines() == [
        "maya.chen@nudge.example deactivated",
        "maya.chen@nudge.example reactivated",
    ]
