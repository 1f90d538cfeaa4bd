"""The cycle runner: steps in order, each committed on its own, failures isolated, a report."""

from __future__ import annotations

from sqlalchemy import func, select

from agent.audit.service import record
from agent.audit.tables import AuditEntry
from agent.cycle.registry import cycle_steps
from agent.cycle.runner import run_cycle
from agent.db.database import Database
from agent.jobs.steps import Step, StepContext
from agent.settings import Settings
from tests.conftest import BOOK_DATE


def write(action: str) -> Step:
    """A step that writes one audit entry."""

    def run(ctx: StepContext) -> dict[str, int]:
        record(session=ctx.session, actor="cycle", action=action, entity_type="cycle")
        return {"written": 1}

    return Step(name=action, run=run)


def write_then_fail(ctx: StepContext) -> dict[str, int]:
    record(session=ctx.session, actor="cycle", action="half-done", entity_type="cycle")
    ctx.session.flush()
    raise ValueError("model file is corrupt")


def count_entries(ctx: StepContext) -> dict[str, int]:
    actions = ctx.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    return {"entries": len(actions), "as_of_day": ctx.as_of.day}


def test_steps_run_in_order_and_a_failure_loses_only_its_own_work(
    database: Database, settings: Settings
) -> None:
    steps = [
        write("sync"),
        Step(name="score", run=write_then_fail),
        Step(name="metrics", run=count_entries),
        Step(name="rules", run=count_entries, requires=("score",)),
        write("deliver"),
    ]
    report = run_cycle(database=database, settings=settings, steps=steps)

    assert [(s.name, s.status) for s in report.steps] == [
        ("sync", "ok"),
        ("score", "failed"),
        ("metrics", "ok"),
        ("rules", "skipped"),
        ("deliver", "ok"),
    ]
    assert report.steps[1].error == "ValueError: model file is corrupt"
    assert report.steps[2].counts == {"entries": 1, "as_of_day": BOOK_DATE.day}  # sync kept, score gone
    assert report.steps[3].error == "needs score"
    assert report.error == "score: ValueError: model file is corrupt"
    with database.sessions() as session:
        assert session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all() == ["sync", "deliver"]


def test_the_report_has_per_step_durations_and_counts(database: Database, settings: Settings) -> None:
    report = run_cycle(database=database, settings=settings, steps=[write("sync"), write("deliver")])

    as_json = report.to_dict()
    assert as_json["status"] == "ok"
    assert as_json["as_of"] == BOOK_DATE
    assert as_json["duration_ms"] >= sum(step["duration_ms"] for step in as_json["steps"]) - 2
    assert as_json["steps"][0] == {
        "name": "sync",
        "status": "ok",
        "duration_ms": report.steps[0].duration_ms,
        "counts": {"written": 1},
        "error": None,
    }
    assert report.summary() == "sync ok (written=1); deliver ok (written=1)"
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 2


def test_the_registered_cycle_syncs_first_then_settles(settings: Settings) -> None:
    names = [step.name for step in cycle_steps(settings)]

    assert names == ["sync", "close_settled", "settle_promises", "score", "metrics", "alerts", "deliver"]
