"""Sync sources come from the registry: configured connectors become sources, others do not."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from agent.db.database import Database
from agent.profile.tables import Invoice
from agent.settings import Settings
from agent.sync.runs import record_sync
from agent.sync.sources import SourceNotConfiguredError, build_source, configured_sources, sync_runners
from agent.sync.tables import SyncRun
from connectors.emulators import run_local_vendors
from tests.agent.sync import factories


def test_only_configured_connectors_are_sync_sources(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert configured_sources() == []
    assert sync_runners(Settings(home=tmp_path), database) == {}
    monkeypatch.setenv("NUDGE_STRIPE_WEBHOOK_SECRET", "whsec_without_a_key")
    monkeypatch.setenv("NUDGE_SALESFORCE_INSTANCE_URL", "https://acme.my.salesforce.com")
    assert configured_sources() == []


def test_an_unknown_or_unconfigured_source_is_refused_with_what_to_set() -> None:
    with pytest.raises(
        SourceNotConfiguredError, match=r"^unknown source 'zendesk' \(known: hubspot, salesforce,"
    ):
        build_source("zendesk")
    with pytest.raises(
        SourceNotConfiguredError,
        match=r"^salesforce is not configured: set NUDGE_SALESFORCE_INSTANCE_URL, NUDGE_SALESFORCE_TOKEN$",
    ):
        build_source("salesforce")


def test_a_scheduled_stripe_sync_fills_the_profile(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with run_local_vendors(stripe=factories.stripe()) as vendors:
        for name, value in vendors.env().items():
            monkeypatch.setenv(name, value)
        runners = sync_runners(Settings(home=tmp_path), database)
        assert set(runners) == {"stripe"}
        outcome = record_sync(database=database, source="stripe", run=runners["stripe"])
    assert outcome.status == "ok"
    with database.sessions() as session:
        assert session.scalar(select(func.count(Invoice.id))) == 30
        run = session.scalars(select(SyncRun)).one()
    assert (run.source, run.status, run.records_read, run.full) == ("stripe", "ok", 43, False)
    assert run.api_calls > 0
