"""A rule proposal is bounded: too many files or too large a file is a 422 that says the limit."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from agent.app import create_app
from agent.db.database import Database
from agent.rulesets.schemas import MAX_RULE_FILE_CHARS, MAX_RULE_FILES
from agent.settings import Settings
from tests.factories import make_person, token_for


@pytest.fixture
def client(database: Database, settings: Settings, session: Session) -> TestClient:
    client = TestClient(create_app(settings=settings, database=database))
    admin = make_person(session, "ada.admin@nudge.example", role="admin")
    client.headers["Authorization"] = f"Bearer {token_for(session, admin)}"
    return client


def test_a_proposal_of_too_many_files_is_refused(client: TestClient) -> None:
    texts = {f"rule-{n}.yaml": "name: x" for n in range(MAX_RULE_FILES + 1)}
    answer = client.post("/api/rules", json={"texts": texts})
    assert answer.status_code == 422
    (error,) = answer.json()["detail"]
    assert error["loc"] == ["body", "texts"]
    assert error["msg"] == "Dictionary should have at most 200 items after validation, not more"


def test_a_proposal_with_a_too_large_file_is_refused(client: TestClient) -> None:
    answer = client.post("/api/rules", json={"texts": {"big.yaml": "#" * (MAX_RULE_FILE_CHARS + 1)}})
    assert answer.status_code == 422
    (error,) = answer.json()["detail"]
    assert error["loc"] == ["body", "texts", "big.yaml"]
    assert error["msg"] == "String should have at most 100000 characters"


def test_a_template_bomb_is_refused_with_its_place(client: TestClient) -> None:
    bomb = "name: bomb\nwhen: invoice.disputed\nmessage: \"{{ 'x' * 300000000 }}\"\n"
    answer = client.post("/api/rules", json={"texts": {"bomb.yaml": bomb}})
    assert answer.status_code == 422
    assert answer.json()["detail"]["errors"] == [
        "bomb.yaml:3:11: templates may not use '*' (a message shows fields, it does not compute text)"
    ]
