"""The demo's team has a Slack workspace: the local emulator holds every person with their
Slack id, Nudge's Slack connector points at it, and it sends clicks to the demo's address."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from agent.demo.setup import build_demo_database
from agent.profile.tables import Person
from agent.settings import Settings
from connectors.core.registry import get
from tests.conftest import BOOK_DATE


def test_the_demo_seeds_and_serves_a_slack_workspace_for_its_team(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, as_of=BOOK_DATE, environment="test")
    demo = build_demo_database(settings=settings, accounts=30, seed=7, log=lambda _: None)
    try:
        assert demo.vendors is not None
        slack = demo.vendors.emulators["slack"]
        with demo.database.sessions() as session:
            team = {
                p.slack_id: p.email
                for p in session.scalars(select(Person).where(Person.slack_id.is_not(None)))
            }
        assert team
        assert {u["id"]: u["profile"]["email"] for u in slack.users.values()} == team
        assert get("slack").is_configured()
        assert slack.app_url == demo.settings.base_url
        demo.receive_interactions_at("http://127.0.0.1:8123")
        assert slack.app_url == "http://127.0.0.1:8123"
    finally:
        demo.close()
