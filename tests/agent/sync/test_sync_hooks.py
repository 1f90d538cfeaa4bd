"""The connectors plug into the scheduler: configured ones become sync sources, others do not."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from agent.db.database import Database
from agent.profile.tables import Invoice
from agent.settings import Settings
from agent.sync.runs import run_sync as scheduled_sync
from agent.sync.source_hooks import configured_sources
from agent.sync.tables import SyncRun
from connectors.emulators import run_local_vendors
from tests.agent.sync import factories


def test_only_configured_connectors_are_sync_sources(database: Database, tmp_path: Path) -> None:
    assert configured_sources(settings=Settings(home=tmp_path), database=database) == {}


def test_a_scheduled_stripe_sync_fills_the_profile(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with run_local_vendors(stripe=factories.stripe()) as vendors:
        for name, value in vendors.env().items():
            monkeypatch.setenv(name, value)
        sources = configured_sources(settings=Settings(home=tmp_path), database=database)
        assert set(sources) == {"stripe"}
        outcome = scheduled_sync(database=database, source="stripe", run=sources["stripe"])
    assert outcome.status == "ok"
    with database.sessions() as session:
        assert session.scalar(select(func.count(Invoice.id))) == 30
        run = session.scalars(select(SyncRun)).one()
    assert (run.source, run.status, run.records_read, run.full) == ("stripe", "ok", 43, False)
    assert run.api_calls > 0
