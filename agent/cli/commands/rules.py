"""``nudge rules check|test``: validate rule files, and replay them over a ledger.

Exit codes: 0 when every file is valid (check) or the backtest ran (test); 2 when a
file has a mistake or the input is bad.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.cli.common import UserError, emit_json, existing_file, iso_date

if TYPE_CHECKING:
    from rules.context import ContextBuilder

# The demo book is built this long after the window so that most outcomes are known.
DEMO_OUTCOME_DAYS = 120


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``rules check`` and ``rules test``."""
    parser = subparsers.add_parser("rules", help="validate and backtest alert rules")
    commands = parser.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    check = commands.add_parser("check", help="validate rule files: SUCCESS/FAILED per file")
    check.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="rule files or folders")
    check.add_argument("--json", action="store_true", help="one JSON object on stdout")
    check.set_defaults(handler=run_check)
    test = commands.add_parser("test", help="replay rules day by day over a ledger")
    test.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="rule files or folders")
    source = test.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", type=existing_file, help="invoice CSV")
    source.add_argument(
        "--demo",
        action="store_true",
        help=f"the seeded demo book with its promises, disputes and CRM signals, built "
        f"{DEMO_OUTCOME_DAYS} days after --to so that outcomes are known",
    )
    test.add_argument("--mapping", type=existing_file, help="mapping file for a non-canonical CSV")
    test.add_argument("--from", dest="start", type=iso_date, required=True, help="first day (YYYY-MM-DD)")
    test.add_argument("--to", dest="end", type=iso_date, required=True, help="last day (YYYY-MM-DD)")
    test.add_argument("--json", action="store_true", help="one JSON object on stdout")
    test.set_defaults(handler=run_test)


def _existing(paths: list[Path]) -> list[Path]:
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        raise UserError(f"no such file or folder: {', '.join(missing)}")
    return paths


def run_check(args: argparse.Namespace) -> int:
    """Print SUCCESS or FAILED per file with every error as ``file:line:col: message``."""
    from rules.loader import check_files

    _, errors = check_files(_existing(args.paths))
    if not errors:
        raise UserError("no rule files (*.yaml, *.yml) found")
    if args.json:
        files = [{"path": p, "ok": not e, "errors": [str(x) for x in e]} for p, e in errors.items()]
        emit_json({"ok": not any(errors.values()), "files": files})
    else:
        for path, file_errors in errors.items():
            print(f"{'FAILED' if file_errors else 'SUCCESS'} {path}")
            for error in file_errors:
                print(f"  {error}")
    return 2 if any(errors.values()) else 0


def run_test(args: argparse.Namespace) -> int:
    """Backtest the rules over ``--from``..``--to`` as of each day."""
    from rules.backtest import backtest
    from rules.context import ContextBuilder
    from rules.errors import RuleLoadError
    from rules.loader import load_rules
    from rules.risk import PriorLateRateRisk

    if args.start > args.end:
        raise UserError("--from must not be after --to")
    if args.demo and args.mapping:
        raise UserError("--mapping goes with --data, not --demo")
    try:
        rules = load_rules(_existing(args.paths))
    except RuleLoadError as exc:
        raise UserError(f"the rules have mistakes:\n{exc}") from None
    if args.demo:
        builder = _demo_builder(args.end + timedelta(days=DEMO_OUTCOME_DAYS))
    else:
        builder = ContextBuilder(_read_ledger(args.data, args.mapping), risk=PriorLateRateRisk())
    report = backtest(rules, builder, args.start, args.end)
    if args.json:
        emit_json({"risk": "prior_late_rate", **report})
    else:
        _print_report(report)
    return 0


def _demo_builder(as_of: date) -> ContextBuilder:
    from agent.demo.book import build_demo_book
    from rules.context import ContextBuilder
    from rules.risk import PriorLateRateRisk

    book = build_demo_book(as_of=as_of)
    return ContextBuilder(
        book.ledger(),
        risk=PriorLateRateRisk(),
        promises=book.promises,
        disputes=book.disputes,
        signals=book.signals,
        accounts=book.accounts,
    )


def _read_ledger(data: Path, mapping_path: Path | None) -> Any:
    from connectors.csv import MappingError, UnreadableFileError, load_mapping, read_invoices

    try:
        result = read_invoices(data, load_mapping(mapping_path))
    except (MappingError, UnreadableFileError) as exc:
        raise UserError(str(exc)) from None
    if result.rejects:
        print(
            f"{len(result.rejects)} bad rows left out (first: line {result.rejects[0].line}: "
            f"{result.rejects[0].error})",
            file=sys.stderr,
        )
    if not result.rows:
        raise UserError(f"{data}: no valid invoice rows")
    return result.to_ledger()


def _fmt(value: float | None, pattern: str) -> str:
    return "-" if value is None else format(value, pattern)


def _print_report(report: dict[str, Any]) -> None:
    print(
        f"Backtest {report['from']}..{report['to']} ({report['days']} days): {report['alert_count']} alerts"
    )
    print(
        f"precision {_fmt(report['precision'], '.2f')} (base late rate "
        f"{_fmt(report['base_rate'], '.2f')}), lead days median "
        f"{_fmt(report['lead_days']['median'], '.0f')}"
    )
    print(f"{'rule':<28}{'alerts':>8}{'precision':>11}{'lead_days':>11}")
    for name, row in report["per_rule"].items():
        print(
            f"{name:<28}{row['alert_count']:>8}{_fmt(row['precision'], '.2f'):>11}"
            f"{_fmt(row['lead_days']['median'], '.0f'):>11}"
        )
    owners = ", ".join(f"{owner} {count}" for owner, count in report["per_owner"].items())
    print(f"per owner: {owners or '-'}")
