"""The web app's Slack preview page frames the local Slack emulator's preview, and only it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from agent.app import create_app
from agent.auth.deps import SESSION_COOKIE
from agent.db.database import Database
from agent.settings import Settings
from tests.agent.alerts.factories import load_book, person
from tests.connectors.slack.workspace import slack_workspace
from tests.factories import token_for


def signed_in(database: Database, settings: Settings, session: Session) -> TestClient:
    client = TestClient(create_app(settings=settings, database=database))
    client.cookies.set(SESSION_COOKIE, token_for(session, person(session, "csm")))
    return client


def test_the_page_frames_the_emulators_preview(
    session: Session, database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_book(session)
    with slack_workspace(session, monkeypatch) as workspace:
        page = signed_in(database, settings, session).get("/slack-preview")
        preview = f"{workspace.emulator.base_url}/preview"
        assert page.status_code == 200
        assert f'<iframe class="slack-preview" src="{preview}"' in page.text
        assert f"frame-src {workspace.emulator.base_url};" in page.headers["content-security-policy"]


def test_without_an_emulator_the_page_says_there_is_nothing_to_preview(
    session: Session, database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_book(session)
    monkeypatch.setenv("NUDGE_SLACK_BOT_TOKEN", "xoxb-real-workspace")
    page = signed_in(database, settings, session).get("/slack-preview")
    assert page.status_code == 200
    assert "<iframe" not in page.text
    assert "frame-src" not in page.headers["content-security-policy"]
    assert "so there is nothing to preview" in page.text
