"""``nudge deliver [--json]``: one drain of the outbox, summarised per channel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from agent.cli.main import main
from agent.db.database import Database
from agent.settings import Settings
from tests.agent.delivery.factories import deliveries, due_by_the_wall_clock
from tests.conftest import BOOK_DATE
from tests.connectors.recorder.install import install_recorder


@pytest.fixture
def configured(database: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    """The test database as NUDGE_DATABASE_URL, with the book date pinned."""
    monkeypatch.setenv("NUDGE_DATABASE_URL", database.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("NUDGE_AS_OF", BOOK_DATE.isoformat())
    return database


def test_deliver_json_counts_what_each_channel_sent(
    configured: Database,
    session: Session,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    recorder = install_recorder(monkeypatch, tmp_path, channels='["email", "slack_dm"]')
    due_by_the_wall_clock(session, settings)

    assert main(["deliver", "--json"]) == 0

    summary = json.loads(capsys.readouterr().out)
    sent = len(recorder.records())
    undeliverable = len([d for d in deliveries(session) if d.state == "undeliverable"])
    assert summary["status"] == "ok"
    assert summary["totals"] == {
        "sent": sent,
        "failed": 0,
        "retrying": 0,
        "muted": 0,
        "undeliverable": undeliverable,
        "deferred": 0,
    }
    assert sum(counts["sent"] for counts in summary["channels"].values()) == sent > 0
    assert summary["channels"]["crm_task"]["undeliverable"] == undeliverable > 0
    assert main(["deliver"]) == 0
    assert capsys.readouterr().out.startswith("deliver: ok: nothing due")


def test_deliver_exits_1_when_a_message_fails(
    configured: Database,
    session: Session,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    install_recorder(monkeypatch, tmp_path, fail="fatal")
    due_by_the_wall_clock(session, settings)

    assert main(["deliver", "--json"]) == 1

    summary = json.loads(capsys.readouterr().out)
    assert summary["status"] == "failed"
    assert summary["totals"]["failed"] == summary["channels"]["email"]["failed"] > 0
