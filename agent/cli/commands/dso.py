"""``nudge dso``: receivables metrics for an invoice CSV, without touching the database."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.cli.common import UserError, emit_json, existing_file, iso_date

if TYPE_CHECKING:
    from agent.metrics.schemas import Breakdown
    from connectors.csv.reader import Reject
    from ledger.frame import Ledger

GROUPINGS = ("customer", "terms", "owner", "segment")
SHOWN_REJECTS = 5


def positive_int(text: str) -> int:
    """argparse type for a whole number of days, at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def rate_pair(text: str) -> tuple[str, float]:
    """argparse type for ``CUR=RATE`` (units of reporting currency per unit of CUR)."""
    currency, _, number = text.partition("=")
    try:
        rate = float(number)
    except ValueError:
        rate = float("nan")
    if len(currency) != 3 or not currency.isalpha() or not rate > 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not CUR=RATE with a positive rate (EUR=1.08)")
    return currency.upper(), rate


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``nudge dso``."""
    parser = subparsers.add_parser(
        "dso",
        help="receivables metrics (DSO, aging, CEI...) for an invoice CSV",
        description="Receivables metrics for the N days ending on the as-of date.",
    )
    parser.add_argument(
        "--invoices", type=existing_file, required=True, metavar="FILE.csv", help="invoice CSV"
    )
    parser.add_argument(
        "--as-of", type=iso_date, required=True, metavar="DATE", help="last day of the period"
    )
    parser.add_argument(
        "--period-days", type=positive_int, default=30, metavar="N", help="period length (30)"
    )
    parser.add_argument("--by", choices=GROUPINGS, help="the same metrics per group")
    parser.add_argument("--mapping", type=existing_file, metavar="M.yaml", help="CSV layout")
    parser.add_argument(
        "--rate",
        type=rate_pair,
        action="append",
        default=[],
        metavar="CUR=RATE",
        help="exchange rate to the reporting currency (NUDGE_REPORTING_CURRENCY), repeatable; "
        "adds to or overrides NUDGE_FX_RATES",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.set_defaults(handler=run)


def report_rejects(path: Path, rejects: list[Reject]) -> None:
    """Count and first few rejected rows on stderr; they do not stop the command."""
    if not rejects:
        return
    print(f"nudge: {path}: {len(rejects)} row(s) rejected:", file=sys.stderr)
    for reject in rejects[:SHOWN_REJECTS]:
        print(f"  line {reject.line}: {reject.error}", file=sys.stderr)
    if len(rejects) > SHOWN_REJECTS:
        print(f"  ... and {len(rejects) - SHOWN_REJECTS} more", file=sys.stderr)


def load_ledger(path: Path, mapping_path: Path | None) -> Ledger:
    """Read the CSV (bad rows reported and skipped) into a ledger."""
    from connectors.csv.mapping import MappingError, load_mapping
    from connectors.csv.reader import UnreadableFileError, read_invoices

    try:
        result = read_invoices(path, load_mapping(mapping_path))
    except (MappingError, UnreadableFileError) as exc:
        raise UserError(str(exc)) from None
    report_rejects(path, result.rejects)
    if not result.rows:
        raise UserError(f"{path}: no valid invoice rows to compute metrics from")
    return result.to_ledger()


def run(args: argparse.Namespace) -> int:
    """Compute and print the metrics."""
    from agent.metrics.rates import Rates, UnknownCurrencyError
    from agent.metrics.service import compute_breakdown, compute_metrics

    ledger = load_ledger(args.invoices, args.mapping)
    rates = Rates.default(**dict(args.rate))
    try:
        if args.by:
            breakdown = compute_breakdown(ledger, args.as_of, args.period_days, args.by, rates)
            payload = {**breakdown.total.to_dict(), "by": args.by, "groups": breakdown.to_dict()}
        else:
            payload = compute_metrics(ledger, args.as_of, args.period_days, rates).to_dict()
    except UnknownCurrencyError as exc:
        raise UserError(f"{args.invoices}: {exc} (pass --rate CUR=RATE)") from None
    if args.json:
        emit_json(payload)
    else:
        print(render_text(payload, breakdown if args.by else None))
    return 0


DAY_LINES = (
    ("DSO", "dso"),
    ("DSO (average AR)", "dso_average_ar"),
    ("Best possible DSO", "best_possible_dso"),
    ("Delinquent DSO", "delinquent_dso"),
    ("Countback DSO", "countback_dso"),
    ("Avg days to pay", "average_days_to_pay"),
    ("Avg days late", "average_days_late"),
    ("Weighted terms", "weighted_terms_days"),
)
PERCENT_LINES = (
    ("CEI", "cei", 1),
    ("Current", "percent_current", 1),
    ("Paid late", "late_rate", 100),
)
# Group table: (header, metric, width, money?)
GROUP_COLUMNS = (
    ("AR", "ar", 14, True),
    ("sales", "credit_sales", 14, True),
    ("DSO", "dso", 7, False),
    ("best", "best_possible_dso", 7, False),
    ("late", "delinquent_dso", 7, False),
    ("CEI", "cei", 7, False),
    ("terms", "weighted_terms_days", 6, False),
)


def _days(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:,.1f}"


def _money(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:,.2f}"


def render_text(payload: dict[str, Any], breakdown: Breakdown | None) -> str:
    """Human-readable metrics, then one line per group (largest AR first) when grouped."""
    lines = [
        f"Receivables as of {payload['as_of']}, period {payload['period_days']} days, "
        f"in {payload['currency']}",
        f"  {'AR':<21} {_money(payload['ar']):>16}",
        f"  {'Credit sales':<21} {_money(payload['credit_sales']):>16}",
    ]
    lines += [f"  {label:<21} {_days(payload[name]):>16} days" for label, name in DAY_LINES]
    for label, name, scale in PERCENT_LINES:
        value = payload[name]
        lines.append(f"  {label:<21} {_days(None if value is None else value * scale):>16} %")
    aging = "  ".join(f"{bucket}: {_money(value)}" for bucket, value in payload["aging"].items())
    lines.append(f"  Aging    {aging}")
    lines += [f"  {name} is undefined: {reason}" for name, reason in payload["undefined"].items()]
    if breakdown is not None:
        lines += ["", _group_table(breakdown)]
    return "\n".join(lines)


def _group_table(breakdown: Breakdown) -> str:
    frame = breakdown.frame().sort_values("ar", ascending=False)
    rows = [f"{breakdown.by:<24}" + "".join(f" {h:>{w}}" for h, _, w, _ in GROUP_COLUMNS)]
    for key, row in frame.iterrows():
        cells = "".join(
            f" {(_money if money else _days)(float(row[name])):>{width}}"
            for _, name, width, money in GROUP_COLUMNS
        )
        rows.append(f"{str(key)[:24]:<24}{cells}")
    return "\n".join(rows)
