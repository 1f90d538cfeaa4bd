"""Entry point of the ``nudge`` command: one module per command registers its sub-parser."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from agent.cli import commands
from agent.cli.common import UserError
from agent.settings import SettingsError


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser."""
    parser = argparse.ArgumentParser(
        prog="nudge", description="Nudge: stop late payments before they happen."
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # Each module in agent/cli/commands registers its sub-parser and sets ``handler``.
    for module in sorted(pkgutil.iter_modules(commands.__path__), key=lambda info: info.name):
        importlib.import_module(f"{commands.__name__}.{module.name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; exit code 0 on success, 2 on bad input."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except (UserError, SettingsError) as exc:
        print(f"nudge: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
