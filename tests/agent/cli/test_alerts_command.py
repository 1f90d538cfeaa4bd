"""``nudge alerts evaluate`` and ``nudge alerts list`` against a database holding the demo book."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent.alerts.tables import Alert
from agent.cli.main import main
from agent.settings import Settings
from tests.agent.alerts.factories import load_book


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, settings: Settings, session: Session) -> Session:
    monkeypatch.setenv("NUDGE_DATABASE_URL", str(settings.database_url))
    monkeypatch.setenv("NUDGE_AS_OF", str(settings.as_of))
    load_book(session)
    return session


def test_evaluate_then_list_the_firing_alerts(
    configured: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["alerts", "evaluate", "--json"]) == 0
    counts = json.loads(capsys.readouterr().out)
    stored = configured.scalar(select(func.count(Alert.id)))
    assert counts["opened"] == stored
    assert counts["rules_version"] == 1
    assert main(["alerts", "list", "--state", "firing", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["count"] == stored
    assert {a["state"] for a in listed["alerts"]} == {"firing"}
    assert main(["alerts", "evaluate", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["opened"] == 0


def test_list_prints_one_line_per_alert(configured: Session, capsys: pytest.CaptureFixture[str]) -> None:
    main(["alerts", "evaluate"])
    capsys.readouterr()
    assert main(["alerts", "list", "--rule", "credit-limit-exceeded"]) == 0
    lines = capsys.readouterr().out.splitlines()
    expected = configured.scalar(select(func.count(Alert.id)).where(Alert.rule == "credit-limit-exceeded"))
    assert lines[-1] == f"{expected} alert(s)"
    assert all("credit-limit-exceeded" in line for line in lines[:-1])
    assert len(lines) == (expected or 0) + 1
