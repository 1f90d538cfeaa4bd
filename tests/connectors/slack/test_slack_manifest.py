"""The app manifest asks for exactly the scopes Nudge uses and points at its routes."""

from __future__ import annotations

from pathlib import Path

import yaml

from connectors.slack.client import SCOPES
from connectors.slack.interactions import COMMANDS_PATH, EVENTS_PATH, INTERACTIONS_PATH

MANIFEST = yaml.safe_load(
    (Path(__file__).resolve().parents[3] / "connectors/slack/manifest.yaml").read_text()
)


def test_the_manifest_asks_for_exactly_the_scopes_used() -> None:
    used = {scope for scopes in SCOPES.values() for scope in scopes} | {"commands"}
    assert set(MANIFEST["oauth_config"]["scopes"]["bot"]) == used


def test_the_manifest_points_slack_at_nudges_routes() -> None:
    settings = MANIFEST["settings"]
    assert settings["interactivity"]["request_url"].endswith(INTERACTIONS_PATH)
    assert settings["event_subscriptions"]["request_url"].endswith(EVENTS_PATH)
    assert settings["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    [command] = MANIFEST["features"]["slash_commands"]
    assert (command["command"], command["url"].endswith(COMMANDS_PATH)) == ("/nudge", True)
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True
