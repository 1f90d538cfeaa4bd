"""``nudge cycle``: one cycle on the configured database, reported step by step."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.cli.main import main
from agent.db.database import Database
from agent.jobs.locks import job_lock
from agent.profile.tables import Invoice
from tests.agent.jobs.factories import job_runs
from tests.conftest import BOOK_DATE
from tests.factories import make_account, make_invoice


@pytest.fixture
def configured(database: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    """The test database as NUDGE_DATABASE_URL, with the book date pinned."""
    monkeypatch.setenv("NUDGE_DATABASE_URL", database.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("NUDGE_AS_OF", BOOK_DATE.isoformat())
    return database


def test_cycle_json_reports_every_step_and_settles_the_book(
    configured: Database, session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    account = make_account(session, "Fabrikam")
    invoice = make_invoice(session, account, "F-1", "1200.00", issued=date(2026, 9, 1), paid="1200.00")
    make_invoice(session, account, "F-2", "300.00", issued=date(2026, 10, 1))
    session.commit()

    code = main(["cycle", "--json"])

    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["status"] == "ok"
    assert report["as_of"] == "2026-11-20"
    assert [(s["name"], s["status"]) for s in report["steps"]] == [
        ("sync", "ok"),
        ("close_settled", "ok"),
        ("settle_promises", "ok"),
        ("score", "ok"),
        ("metrics", "ok"),
        ("alerts", "ok"),
        ("deliver", "ok"),
    ]
    assert report["steps"][3]["counts"] == {"scored": 0, "too_little_history": 1}
    assert report["steps"][1]["counts"] == {"closed": 1, "dated_from_payments": 1, "dated_as_of": 0}
    assert all(isinstance(s["duration_ms"], int) for s in report["steps"])
    session.expire_all()
    assert session.scalar(select(Invoice.status).where(Invoice.id == invoice.id)) == "paid"
    assert [(run.name, run.status) for run in job_runs(configured)] == [("cycle", "ok")]


def test_cycle_exits_1_when_another_runner_has_the_cycle(
    configured: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    with job_lock(configured, "cycle") as held:
        assert held
        code = main(["cycle", "--json"])

    assert code == 1
    assert json.loads(capsys.readouterr().out) == {"status": "skipped_locked", "error": None}


def test_cycle_prints_a_table_without_json(configured: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cycle"]) == 0

    out = capsys.readouterr().out
    assert out.startswith("cycle as of 2026-11-20: ok in ")
    assert "close_settled" in out
    assert "closed 0" in out
