"""A sync run record per sync: counts, API calls and errors; failures and skips recorded."""

from __future__ import annotations

from agent.db.database import Database
from agent.sync.result import SyncResult
from agent.sync.runs import record_sync
from agent.sync.tables import SyncRun
from tests.agent.jobs.factories import other_runner_holds, sync_runs


def test_a_sync_records_what_the_source_read_changed_and_called(database: Database) -> None:
    result = SyncResult(
        records_read=250, records_changed=12, api_calls=3, errors=["company 981: no name"], full=True
    )
    outcome = record_sync(database=database, source="hubspot", run=lambda: result)

    assert (outcome.status, outcome.result) == ("ok", result)
    [run] = sync_runs(database)
    assert (run.source, run.status, run.full) == ("hubspot", "ok", True)
    assert (run.records_read, run.records_changed, run.api_calls) == (250, 12, 3)
    assert run.errors == ["company 981: no name"]
    assert run.finished_at is not None
    assert run.finished_at >= run.started_at


def test_a_crashing_sync_is_recorded_as_failed_with_its_error(database: Database) -> None:
    def crash() -> SyncResult:
        raise ConnectionError("stripe: connection reset")

    outcome = record_sync(database=database, source="stripe", run=crash)

    assert outcome.status == "failed"
    [run] = sync_runs(database)
    assert (run.status, run.errors) == ("failed", ["ConnectionError: stripe: connection reset"])


def test_a_source_synced_elsewhere_is_skipped_and_recorded(database: Database) -> None:
    calls: list[str] = []

    def sync() -> SyncResult:
        calls.append("ran")
        return SyncResult()

    with other_runner_holds(database, "sync:salesforce"):
        outcome = record_sync(database=database, source="salesforce", run=sync)

    assert outcome.status == "skipped_locked"
    assert calls == []
    [run] = sync_runs(database)
    assert (run.source, run.status) == ("salesforce", "skipped_locked")


def test_a_sync_left_running_by_a_crash_is_closed_by_the_next_sync(database: Database) -> None:
    with database.transaction() as session:
        session.add_all(
            [SyncRun(source="hubspot", status="running"), SyncRun(source="stripe", status="running")]
        )

    record_sync(database=database, source="hubspot", run=SyncResult)

    assert [(run.source, run.status, run.errors) for run in sync_runs(database)] == [
        ("hubspot", "failed", ["interrupted: its runner stopped before it finished"]),
        ("stripe", "running", []),  # another source's sync may still be going
        ("hubspot", "ok", []),
    ]
