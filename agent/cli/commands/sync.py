"""``nudge sync [SOURCE] [--full] [--json]``: one incremental sync of the configured sources."""

from __future__ import annotations

import argparse
from typing import Any

from agent.cli.common import UserError, emit_json


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``sync`` sub-command."""
    parser = subparsers.add_parser(
        "sync",
        help="pull what changed in the configured sources (HubSpot, Salesforce, Stripe...) into the profile",
        description="Run one incremental sync of SOURCE (default: every configured source) from "
        "its saved cursor. Exit 0 when every run succeeded, 1 when one failed, 2 when a source "
        "is unknown or not configured (each connector's variables: connectors/README.md).",
    )
    # Any installed connector with a source; an unknown name is refused with the known ones.
    parser.add_argument("source", nargs="?", help="one source (e.g. hubspot, salesforce, stripe)")
    parser.add_argument("--full", action="store_true", help="forget the cursor and re-read everything")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Sync each source in turn and report its run."""
    from agent.db.database import Database
    from agent.profile.priority import PriorityFileError, load_priority
    from agent.settings import get_settings
    from agent.sync.service import run_sync
    from agent.sync.sources import SourceNotConfiguredError, build_source, configured_sources, source_names
    from connectors.core.registry import ConnectorConfigError

    settings = get_settings()
    try:
        names = [args.source] if args.source else configured_sources()
        if not names:
            raise UserError(f"no source is configured: {_variables(source_names())}")
        sources = {name: build_source(name) for name in names}
        priority = load_priority(settings.field_priority_file)
    except (SourceNotConfiguredError, ConnectorConfigError, PriorityFileError, OSError) as exc:
        raise UserError(str(exc).strip("'\"")) from None
    database = Database.open(settings)
    try:
        runs = [
            run_sync(
                database=database,
                source_name=name,
                source=source,
                full=args.full,
                priority=priority,
                today=settings.today(),
            )
            for name, source in sources.items()
        ]
    finally:
        database.close()
    reports = [_report(r) for r in runs]
    ok = all(r.status != "failed" for r in runs)  # skipped_locked: another runner has it
    if args.json:
        emit_json({"ok": ok, "runs": reports})
    else:
        for report in reports:
            print(_line(report))
    return 0 if ok else 1


def _variables(names: list[str]) -> str:
    """What to set, e.g. ``set NUDGE_HUBSPOT_TOKEN (hubspot) or NUDGE_STRIPE_API_KEY (stripe)``."""
    from connectors.core.registry import get

    hints = [f"{', '.join(get(name).missing())} ({name})" for name in names]
    return "set " + " or ".join(hints) if hints else "no connector with a source is installed"


def _report(run: Any) -> dict[str, Any]:
    fields = (
        "id",
        "source",
        "full",
        "status",
        "started_at",
        "finished_at",
        "records_read",
        "records_changed",
        "api_calls",
        "errors",
        "detail",
    )
    return {name: getattr(run, name) for name in fields}


def _line(report: dict[str, Any]) -> str:
    finished = report["finished_at"] or report["started_at"]
    seconds = (finished - report["started_at"]).total_seconds()
    text = (
        f"{report['source']}: {report['status']}, {report['records_read']} read, "
        f"{report['records_changed']} changed, {report['api_calls']} API calls in {seconds:.1f} s"
    )
    if report["status"] == "failed":
        text += f" ({'; '.join(map(str, report['errors']))})"
    return text
