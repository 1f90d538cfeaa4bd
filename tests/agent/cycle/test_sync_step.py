"""The cycle's sync step: every configured source synced and recorded, a failing one reported."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import func, select

from agent.cycle.housekeeping import close_settled_step
from agent.cycle.runner import run_cycle
from agent.cycle.sync_step import make_sync_step
from agent.db.database import Database
from agent.imports.service import import_invoices
from agent.profile.tables import Invoice
from agent.settings import Settings
from agent.sync.result import SyncResult
from agent.sync.runs import SyncRunner
from connectors.csv import load_mapping, read_invoices
from tests.agent.jobs.factories import sync_runs
from tests.factories import canonical_row, write_csv


def csv_drop_source(path: Path, database: Database, settings: Settings) -> SyncRunner:
    """A source that loads an invoice file dropped by a billing export, through the importer."""

    def sync() -> SyncResult:
        result = read_invoices(path, load_mapping(None))
        with database.transaction() as session:
            report = import_invoices(
                session=session,
                result=result,
                file_name=path.name,
                mapping_name="canonical",
                actor="scheduler",
                rejects_dir=settings.home / "rejects",
            )
        return SyncResult(
            records_read=len(result.rows) + len(result.rejects),
            records_changed=report.loaded + report.updated,
            errors=[f"line {r.line}: {r.error}" for r in report.rejects],
        )

    return sync


def unreachable() -> SyncResult:
    raise ConnectionError("billing.example: connection refused")


def test_sync_step_syncs_every_source_and_later_steps_see_the_data(
    database: Database, settings: Settings, tmp_path: Path
) -> None:
    rows = [
        canonical_row(invoice_id="INV-1", amount_paid="12500.00"),  # paid, no paid_date yet
        canonical_row(invoice_id="INV-2"),
        canonical_row(invoice_id="INV-3", amount="abc"),
    ]
    drop = write_csv(tmp_path / "billing.csv", rows)

    def sources(settings: Settings, database: Database) -> Mapping[str, SyncRunner]:
        return {"billing-drop": csv_drop_source(drop, database, settings)}

    steps = [make_sync_step(sources), close_settled_step(settings)]
    report = run_cycle(database=database, settings=settings, steps=steps)

    assert [(s.name, s.status) for s in report.steps] == [("sync", "ok"), ("close_settled", "ok")]
    assert report.steps[0].counts == {
        "sources": 1,
        "ok": 1,
        "records_read": 3,
        "records_changed": 2,
        "api_calls": 0,
    }
    assert report.steps[1].counts["closed"] == 1
    [run] = sync_runs(database)
    assert (run.source, run.status, run.records_read, run.records_changed) == ("billing-drop", "ok", 3, 2)
    assert len(run.errors) == 1
    assert run.errors[0].startswith("line 4: ")


def test_a_failing_source_fails_the_step_but_not_the_others(
    database: Database, settings: Settings, tmp_path: Path
) -> None:
    drop = write_csv(tmp_path / "billing.csv", [canonical_row(invoice_id="INV-9")])

    def sources(settings: Settings, database: Database) -> Mapping[str, SyncRunner]:
        return {"stripe": unreachable, "billing-drop": csv_drop_source(drop, database, settings)}

    report = run_cycle(
        database=database, settings=settings, steps=[make_sync_step(sources), close_settled_step(settings)]
    )

    assert [(s.name, s.status) for s in report.steps] == [("sync", "failed"), ("close_settled", "ok")]
    assert report.steps[0].error == (
        "SyncFailedError: sync failed for stripe (ConnectionError: billing.example: connection refused)"
    )
    assert [(run.source, run.status) for run in sync_runs(database)] == [
        ("stripe", "failed"),
        ("billing-drop", "ok"),
    ]
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Invoice)) == 1  # the good source's data
