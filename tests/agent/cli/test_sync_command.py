"""``nudge sync [SOURCE] [--full] [--json]`` against the emulators, into both backends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from agent.cli.main import main
from agent.db.database import Database
from agent.profile.tables import Invoice
from connectors.emulators import LocalVendors, run_local_vendors
from tests.agent.sync import factories


@pytest.fixture
def configured(database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalVendors]:
    """HubSpot and Stripe emulators, and NUDGE_* pointing Nudge at them and the test database."""
    with run_local_vendors(hubspot=factories.hubspot(), stripe=factories.stripe()) as vendors:
        for name, value in vendors.env().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("NUDGE_DATABASE_URL", database.engine.url.render_as_string(hide_password=False))
        yield vendors


def sync(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["sync", *args, "--json"]) == 0
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return report


def test_sync_json_reports_each_configured_source(
    configured: LocalVendors, database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    first = sync(capsys)
    assert first["ok"] is True
    runs = first["runs"]
    assert isinstance(runs, list)
    assert [(r["source"], r["status"], r["full"]) for r in runs] == [
        ("hubspot", "ok", False),
        ("stripe", "ok", False),
    ]
    assert all(r["api_calls"] > 0 and r["records_changed"] > 0 for r in runs)
    with database.sessions() as session:
        assert session.scalar(select(func.count(Invoice.id))) == 30
    assert configured.emulators["stripe"] is not None
    configured.emulators["stripe"].pay_invoice("in_0002")
    again = sync(capsys, "stripe")
    assert [(r["source"], r["records_changed"]) for r in again["runs"]] == [("stripe", 2)]
    full = sync(capsys, "stripe", "--full")
    assert [(r["full"], r["records_changed"]) for r in full["runs"]] == [(True, 0)]


def test_sync_prints_a_line_per_source(configured: LocalVendors, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sync", "hubspot"]) == 0
    assert capsys.readouterr().out.startswith("hubspot: ok, 9 read, 9 changed, ")


def test_unconfigured_source_exits_2_naming_the_variable(
    database: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NUDGE_DATABASE_URL", database.engine.url.render_as_string(hide_password=False))
    assert main(["sync", "salesforce"]) == 2
    assert "salesforce is not configured: set NUDGE_SALESFORCE_INSTANCE_URL, NUDGE_SALESFORCE_TOKEN" in (
        capsys.readouterr().err
    )
