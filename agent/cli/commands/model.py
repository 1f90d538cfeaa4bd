"""``nudge model train|evaluate|backtest``: the payment-delay model on an invoice file."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.cli.common import UserError, emit_json, existing_file, iso_date

if TYPE_CHECKING:
    from ledger.frame import Ledger

METRICS = ("roc_auc", "average_precision", "brier", "ece", "mae_days_late")
BACKTEST_SHARES = (0.6, 0.75, 0.9)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``model`` and its sub-commands."""
    parser = subparsers.add_parser("model", help="train and evaluate the payment-delay model")
    actions = parser.add_subparsers(dest="model_command", required=True, metavar="ACTION")
    train = actions.add_parser("train", help="train on every settled invoice and save a version")
    evaluate = actions.add_parser("evaluate", help="time-split evaluation against baselines")
    evaluate.add_argument(
        "--split",
        choices=["time"],
        default="time",
        help="train on the earliest 75%% of invoices by issue date (default)",
    )
    evaluate.add_argument(
        "--test-from",
        type=iso_date,
        metavar="DATE",
        help="test on invoices issued on/after DATE instead of the 75%% split",
    )
    backtest = actions.add_parser("backtest", help="rolling-origin evaluation at several cut-offs")
    backtest.add_argument(
        "--cutoffs",
        type=_date_list,
        metavar="D1,D2,...",
        help="cut-off dates (default: 60%%, 75%% and 90%% of invoices)",
    )
    for sub, handler in ((train, _train), (evaluate, _evaluate), (backtest, _backtest)):
        sub.add_argument("--data", type=existing_file, required=True, metavar="FILE.csv")
        sub.add_argument(
            "--mapping",
            type=existing_file,
            metavar="M.yaml",
            help="mapping file for a non-canonical CSV layout",
        )
        sub.add_argument("--json", action="store_true", help="print one JSON object")
        sub.set_defaults(handler=handler)


def _date_list(text: str) -> list[date]:
    return [iso_date(part.strip()) for part in text.split(",") if part.strip()]


def _load_ledger(data: Path, mapping: Path | None) -> Ledger:
    from connectors.csv.mapping import MappingError, load_mapping
    from connectors.csv.reader import UnreadableFileError, read_invoices

    try:
        result = read_invoices(data, load_mapping(mapping))
    except (MappingError, UnreadableFileError) as exc:
        raise UserError(str(exc)) from None
    if result.rejects:
        first = result.rejects[0]
        print(
            f"nudge: {len(result.rejects)} row(s) of {data} skipped "
            f"(first: line {first.line}: {first.error})",
            file=sys.stderr,
        )
    if not result.rows:
        raise UserError(f"{data}: no valid invoices")
    return result.to_ledger()


def _labelled_rows(args: argparse.Namespace) -> Any:
    from models.rows import LabelledRows

    return LabelledRows.of(_load_ledger(args.data, args.mapping))


def _train(args: argparse.Namespace) -> int:
    from agent.settings import get_settings
    from models.registry import save_model
    from models.training import train_model

    try:
        model = train_model(_load_ledger(args.data, args.mapping))
    except ValueError as exc:
        raise UserError(f"{args.data}: {exc}") from None
    path = save_model(model, get_settings().home)
    if args.json:
        emit_json({"path": str(path), **model.card})
        return 0
    card = model.card
    window = card["training_window"]
    print(f"model {card['version']} saved to {path}")
    print(
        f"trained on {card['rows']} settled invoices issued "
        f"{window['first_issue_date']} .. {window['last_issue_date']} "
        f"({card['late_share']:.1%} paid late), {len(card['features'])} features"
    )
    if card["metrics"] is None:
        print(f"no time-split evaluation: {card['evaluation']['skipped']}")
    else:
        _print_evaluation(card["evaluation"])
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    import pandas as pd

    from models.evaluation import evaluate, time_split_cutoff

    rows = _labelled_rows(args)
    cutoff = pd.Timestamp(args.test_from) if args.test_from else time_split_cutoff(rows.issue_dates)
    try:
        result = evaluate(rows, cutoff)
    except ValueError as exc:
        raise UserError(f"{args.data}: {exc}") from None
    if args.json:
        emit_json(result)
    else:
        _print_evaluation(result)
    return 0


def _backtest(args: argparse.Namespace) -> int:
    import pandas as pd

    from models.evaluation import backtest, time_split_cutoff

    rows = _labelled_rows(args)
    cutoffs = (
        [pd.Timestamp(day) for day in args.cutoffs]
        if args.cutoffs
        else [time_split_cutoff(rows.issue_dates, share) for share in BACKTEST_SHARES]
    )
    try:
        folds = backtest(rows, cutoffs)
    except ValueError as exc:
        raise UserError(f"{args.data}: {exc}") from None
    if args.json:
        emit_json({"folds": folds})
        return 0
    print(
        f"{'cut-off':<12}{'train':>7}{'test':>6}  {'scorer':<16}{'served':<13}"
        f"{'AUC':>7}{'AP':>7}{'ECE':>7}{'MAE':>7}"
    )
    for fold in folds:
        scored = {"model": fold["model"], **fold["baselines"]}
        for i, (name, metrics) in enumerate(scored.items()):
            head = (
                f"{fold['cutoff']:<12}{fold['train_rows']:>7}{fold['test_rows']:>6}" if i == 0 else " " * 25
            )
            served = fold["served"] if name == "model" else ""
            print(
                f"{head}  {name:<16}{served:<13}{metrics['roc_auc']:>7.3f}"
                f"{metrics['average_precision']:>7.3f}{metrics['ece']:>7.3f}{metrics['mae_days_late']:>7.2f}"
            )
    return 0


def _print_evaluation(result: dict[str, Any]) -> None:
    print(f"test from {result['cutoff']}: {result['train_rows']} train rows, {result['test_rows']} test rows")
    print(f"{'':<18}" + "".join(f"{name:>19}" for name in METRICS))
    scored = {"model": result["model"], **result["baselines"]}
    for name, metrics in scored.items():
        print(f"{name:<18}" + "".join(f"{metrics[metric]:>19.3f}" for metric in METRICS))
    print(f"served: {result['selection']['chosen']}: {result['selection']['reason']}")
    for group, figures in result["by_history"].items():
        aucs = ", ".join(
            f"{name} {'-' if auc is None else format(auc, '.3f')}" for name, auc in figures["roc_auc"].items()
        )
        print(f"ROC AUC {group.replace('_', ' ')} ({figures['rows']} rows): {aucs}")
