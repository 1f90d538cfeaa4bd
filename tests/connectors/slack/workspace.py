"""A Slack workspace for tests: the emulator seeded with the database's people, served on a
local port, the ``NUDGE_SLACK_*`` variables pointing Nudge at it, and Nudge itself served
so the emulator can POST signed interactions to it."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.app import create_app
from agent.db.database import Database
from agent.profile.tables import Person
from agent.settings import Settings
from connectors.core.emulator import run_emulator
from connectors.core.registry import get
from connectors.slack.emulator import SlackEmulator
from connectors.slack.facts import MessageRef


@dataclass
class Workspace:
    """The emulator, the variables it set, and where Nudge listens."""

    emulator: SlackEmulator
    env: dict[str, str]

    def posted(self) -> list[dict[str, Any]]:
        """Every message the bot posted, in order, as it reads now (edits included)."""
        return [self.emulator.message(channel, ts) for channel, ts in self.emulator.posts]

    def keys(self) -> list[str]:
        """The delivery key in each posted message's metadata, in posting order."""
        return [str(m["metadata"]["event_payload"]["key"]) for m in self.posted()]

    def edited(self, channel: str, ts: str, times: int = 1) -> bool:
        """Wait until the message was edited ``times`` times (Nudge edits after answering Slack)."""
        deadline = time.monotonic() + 60
        while self.emulator.updates.count((channel, ts)) < times:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def ref(self, index: int) -> MessageRef:
        channel, ts = self.emulator.posts[index]
        return MessageRef(channel, ts)


def seed_people(emulator: SlackEmulator, session: Session) -> None:
    """Every person with a Slack id becomes a workspace member with that id and address."""
    people = session.scalars(select(Person).where(Person.slack_id.is_not(None)))
    emulator.seed(
        users=[{"id": p.slack_id, "email": p.email, "name": p.name, "tz": p.time_zone} for p in people],
        channels=[{"id": "C0COLLECT1", "name": "collections"}],
    )


@contextlib.contextmanager
def slack_workspace(session: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    """Serve a seeded emulator and configure Nudge's Slack connector to use it."""
    spec = get("slack")
    emulator: SlackEmulator = spec.emulator.create() if spec.emulator else SlackEmulator()
    seed_people(emulator, session)
    assert spec.emulator is not None
    with spec.emulator.serve(emulator) as env:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        yield Workspace(emulator, env)


@contextlib.contextmanager
def nudge_served(workspace: Workspace, settings: Settings, database: Database) -> Iterator[str]:
    """Nudge's app on a local port (no scheduler), where the emulator sends interactions."""
    with run_emulator(create_app(settings=settings, database=database)) as url:
        workspace.emulator.app_url = url
        yield url
