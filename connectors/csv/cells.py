"""Spreadsheet-safe CSV: formula cells neutralised on write, the guard undone on read.

A cell a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab
or carriage return, as OWASP lists) is written with a leading ``'``, which spreadsheets
show as text. Plain numbers such as ``-12.50`` stay as they are: a spreadsheet reads them
as numbers, not formulas. The reader strips the guard again (:func:`unguard` is the exact
inverse of :func:`neutralise`), so a file Nudge writes imports back unchanged.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*")


def neutralise(cell: str) -> str:
    """``cell`` as a spreadsheet will show it, never run it: a ``'`` before a formula start."""
    if cell.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(cell):
        return GUARD + cell
    if cell.startswith(GUARD) and neutralise(cell[1:]) != cell[1:]:
        return GUARD + cell  # already looks guarded: guard again so reading back is exact
    return cell


def unguard(cell: str) -> str:
    """The text :func:`neutralise` was given (other cells unchanged)."""
    if cell.startswith(GUARD) and neutralise(cell[1:]) == cell:
        return cell[1:]
    return cell


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write ``header`` and ``rows`` to ``path`` (UTF-8), every cell neutralised; the row count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([neutralise(str(name)) for name in header])
        for row in rows:
            writer.writerow([neutralise("" if cell is None else str(cell)) for cell in row])
            written += 1
    return written
