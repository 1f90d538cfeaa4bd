"""``nudge deliver [--json]``: send every notification that is due, once."""

from __future__ import annotations

import argparse

from agent.cli.common import emit_json


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``deliver`` sub-command."""
    parser = subparsers.add_parser(
        "deliver",
        help="send the notifications that are due (one drain of the outbox)",
        description="Batch due notifications into one message per channel and recipient, then "
        "mute, dedup, render, send and record each. Exit 0 when nothing failed for good, 1 when "
        "a message failed or another worker holds the SQLite delivery lock.",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Drain the outbox once and report per channel."""
    from agent.db.database import Database
    from agent.delivery.run import deliver_due
    from agent.settings import get_settings

    settings = get_settings()
    database = Database.open(settings)
    try:
        report = deliver_due(database=database, settings=settings)
    finally:
        database.close()
    summary = report.to_dict()
    if args.json:
        emit_json(summary)
    else:
        print(f"deliver: {summary['status']}: {report.summary()}")
        for channel, counts in summary["channels"].items():
            print(f"  {channel:<14} " + ", ".join(f"{outcome} {n}" for outcome, n in counts.items()))
    return 0 if summary["status"] == "ok" else 1
