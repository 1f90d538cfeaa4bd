"""A sync that fails part-way records the API calls it made and whether it was a full sync."""

from __future__ import annotations

from agent.db.database import Database
from agent.sync.service import run_sync
from connectors.emulators import run_local_vendors
from tests.agent.sync import factories


def test_a_failed_full_sync_records_its_real_api_calls_and_full_flag(database: Database) -> None:
    with run_local_vendors(stripe=factories.stripe(invoices=450)) as vendors:
        source = vendors.sources()["stripe"]
        crashing = factories.CrashingSource(source, pages=3)
        failed = run_sync(database=database, source_name="stripe", source=crashing, full=True)
    assert failed.status == "failed"
    assert failed.errors[0] == "ConnectionResetError: killed mid-sync"
    assert failed.full is True
    assert failed.api_calls == source.stats.calls > 0
    assert failed.records_read > 0
    assert failed.runner is not None
