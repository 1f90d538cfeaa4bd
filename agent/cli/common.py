"""Helpers shared by CLI commands: user errors, JSON output, date arguments."""

from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any


class UserError(Exception):
    """Bad input from the user: printed as ``nudge: error: ...`` with exit code 2."""


def iso_date(text: str) -> date:
    """argparse type for ``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def existing_file(text: str) -> Path:
    """argparse type for a path that must exist."""
    path = Path(text)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"no such file: {text}")
    return path


def _to_jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    # A numpy scalar can only exist once numpy is loaded: the CLI does not load it just for this.
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.integer | numpy.floating | numpy.bool_):
        plain = value.item()
        return None if isinstance(plain, float) and math.isnan(plain) else plain
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")


def emit_json(payload: dict[str, Any]) -> None:
    """Print one JSON object on stdout (NaN is written as null)."""
    text = json.dumps(_clean_floats(payload), default=_to_jsonable, allow_nan=False)
    sys.stdout.write(text + "\n")


def _clean_floats(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _clean_floats(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_floats(item) for item in value]
    return value
