"""``nudge cycle [--json]``: one full cycle now, under the same lock as the scheduled one."""

from __future__ import annotations

import argparse

from agent.cli.common import emit_json


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``cycle`` sub-command."""
    parser = subparsers.add_parser(
        "cycle",
        help="run one full cycle (sync, settle, score, metrics, rules, alerts, delivery)",
        description="Run every cycle step once, in order, each in its own transaction. "
        "Exit 0 when every step succeeded, 1 when a step failed or another runner is "
        "running the cycle.",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run the cycle job once and report each step."""
    from agent.db.database import Database
    from agent.scheduler.jobs import run_cycle_job
    from agent.settings import get_settings

    settings = get_settings()
    database = Database.open(settings)
    try:
        outcome = run_cycle_job(database=database, settings=settings)
    finally:
        database.close()
    report = outcome.result
    if args.json:
        emit_json(report.to_dict() if report else {"status": outcome.status, "error": outcome.error})
    elif report is None:
        print(f"cycle {outcome.status}" + (f": {outcome.error}" if outcome.error else ""))
    else:
        print(f"cycle as of {report.as_of}: {'failed' if report.error else 'ok'} in {report.duration_ms} ms")
        for step in report.steps:
            counts = ", ".join(f"{key} {value}" for key, value in step.counts.items())
            print(f"  {step.name:<16} {step.status:<8} {step.duration_ms:>6} ms  {step.error or counts}")
    return 0 if outcome.status == "ok" else 1
