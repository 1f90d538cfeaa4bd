"""``nudge import FILE.csv [--mapping M.yaml] [--json]``: load invoices into the profile."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from agent.cli.common import UserError, emit_json

MAX_REJECTS_SHOWN = 20


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``import`` sub-command."""
    parser = subparsers.add_parser(
        "import",
        help="load invoices from a CSV file (bad rows are reported and kept aside)",
        description="Load invoices from a CSV file into the profile. Re-importing a file "
        "updates invoices, never duplicates them. Exit 0 when the file was read (even with "
        "rejected rows), 2 when it could not be read.",
    )
    parser.add_argument("file", type=Path, help="the CSV file")
    parser.add_argument("--mapping", type=Path, help="YAML mapping for a non-canonical layout")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Read, load, report."""
    from agent.db.database import Database
    from agent.imports.service import import_invoices
    from agent.settings import get_settings
    from connectors.csv import MappingError, UnreadableFileError, load_mapping, read_invoices

    try:
        mapping = load_mapping(args.mapping)
        result = read_invoices(args.file, mapping)
    except (MappingError, UnreadableFileError) as exc:
        raise UserError(str(exc)) from None
    settings = get_settings()
    database = Database.open(settings)
    try:
        with database.transaction() as session:
            report = import_invoices(
                session=session,
                result=result,
                file_name=args.file.name,
                mapping_name=mapping.name,
                actor="cli",
                rejects_dir=settings.home / "rejects",
            )
    finally:
        database.close()
    if args.json:
        emit_json(report.to_dict())
        return 0
    print(
        f"{args.file}: {report.loaded} loaded, {report.updated} updated, "
        f"{report.unchanged} unchanged, {len(report.rejects)} rejected"
    )
    for reject in report.rejects[:MAX_REJECTS_SHOWN]:
        print(f"  {args.file}:{reject.line}: {reject.error}", file=sys.stderr)
    if len(report.rejects) > MAX_REJECTS_SHOWN:
        print(f"  ... and {len(report.rejects) - MAX_REJECTS_SHOWN} more", file=sys.stderr)
    if report.rejects_file:
        print(f"rejected rows saved to {report.rejects_file} (fix them and import that file)")
    return 0
