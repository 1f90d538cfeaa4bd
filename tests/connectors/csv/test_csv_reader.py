"""Reading canonical and mapped invoice CSV files, and reporting every bad row."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.csv import UnreadableFileError, load_mapping, read_invoices
from tests.factories import IBM_MAPPING, canonical_row, write_csv

CANONICAL = load_mapping(None)


def test_canonical_open_invoice_is_read_with_exact_amounts(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "book.csv", [canonical_row(amount="1,234.56")])
    result = read_invoices(path, CANONICAL)
    assert result.rejects == []
    [row] = result.rows
    assert row.amount == Decimal("1234.56")
    assert row.amount_paid == Decimal(0)
    assert row.paid_date is None
    assert row.terms_days == 30
    assert row.owner_email == "maya.chen@nudge.example"


def test_paid_invoice_without_amount_paid_counts_as_fully_paid(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "book.csv", [canonical_row(paid_date="2026-10-05")])
    [row] = read_invoices(path, CANONICAL).rows
    assert row.amount_paid == Decimal("12500.00")
    assert row.paid_date == date(2026, 10, 5)


def test_due_date_is_derived_from_terms_when_absent(tmp_path: Path) -> None:
    header = ["invoice_id", "customer_id", "issue_date", "amount", "terms_days"]
    rows = [
        {
            "invoice_id": "A",
            "customer_id": "C",
            "issue_date": "2026-01-10",
            "amount": "10",
            "terms_days": "45",
        }
    ]
    [row] = read_invoices(write_csv(tmp_path / "t.csv", rows, header), CANONICAL).rows
    assert row.due_date == date(2026, 2, 24)


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        (
            {"issue_date": "2026-13-01"},
            "issue_date: '2026-13-01' is not a date in the format %Y-%m-%d",
        ),
        ({"due_date": "01/10/2026"}, "due_date: '01/10/2026' is not a date in the format %Y-%m-%d"),
        ({"amount": "12.5k"}, "amount: '12.5k' is not a number"),
        ({"amount": ""}, "amount: missing value"),
        ({"amount": "NaN"}, "amount: 'NaN' is not a finite number"),
        ({"invoice_id": ""}, "invoice_id: missing value"),
        ({"customer_id": "  "}, "customer_id: missing value"),
        ({"currency": "US"}, "currency: 'US' is not a 3-letter ISO code"),
        ({"disputed": "maybe"}, "disputed: 'maybe' is not true/false"),
        ({"due_date": "2026-08-01"}, "due_date: 2026-08-01 is before issue_date 2026-09-01"),
        ({"paid_date": "2026-08-15"}, "paid_date: 2026-08-15 is before issue_date 2026-09-01"),
        ({"amount_paid": "20000"}, "amount_paid: 20000 is more than the invoice amount 12500.00"),
        ({"amount_paid": "abc"}, "amount_paid: 'abc' is not a number"),
        (
            {"paid_date": "2026-10-02", "amount_paid": "100"},
            "amount_paid: 100 differs from amount 12500.00 although paid_date is set "
            "(leave paid_date empty while a balance is open)",
        ),
    ],
)
def test_each_kind_of_bad_value_is_rejected_with_its_line(
    tmp_path: Path, overrides: dict[str, str], error: str
) -> None:
    rows = [
        canonical_row(invoice_id="GOOD-1"),
        canonical_row(invoice_id="BAD-1", **overrides)
        if "invoice_id" not in overrides
        else canonical_row(**overrides),
        canonical_row(invoice_id="GOOD-2"),
    ]
    result = read_invoices(write_csv(tmp_path / "mixed.csv", rows), CANONICAL)
    assert [row.invoice_id for row in result.rows] == ["GOOD-1", "GOOD-2"]
    assert [(reject.line, reject.error) for reject in result.rejects] == [(3, error)]


def test_duplicate_invoice_and_short_row_are_rejected(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "dup.csv", [canonical_row(), canonical_row()])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("INV-9,C-9,Short\n")
    result = read_invoices(path, CANONICAL)
    assert len(result.rows) == 1
    assert [(r.line, r.error) for r in result.rejects] == [
        (3, "invoice_id: duplicate 'INV-1001' (first seen on line 2)"),
        (4, "expected 12 fields, found 3"),
    ]


def test_line_numbers_count_physical_lines_of_quoted_fields(tmp_path: Path) -> None:
    rows = [canonical_row(customer_name="Acme\nEurope"), canonical_row(invoice_id="X", amount="x")]
    result = read_invoices(write_csv(tmp_path / "multi.csv", rows), CANONICAL)
    assert [(r.line, r.error) for r in result.rejects] == [(4, "amount: 'x' is not a number")]


def test_missing_required_column_makes_the_file_unreadable(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "nocust.csv", [canonical_row()], header=["invoice_id", "amount"])
    with pytest.raises(
        UnreadableFileError,
        match=r"line 1: missing required column\(s\): "
        r"customer_id \(column 'customer_id'\), issue_date",
    ):
        read_invoices(path, CANONICAL)


def test_missing_and_empty_files_are_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match="cannot open"):
        read_invoices(tmp_path / "absent.csv", CANONICAL)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(UnreadableFileError, match="the file is empty"):
        read_invoices(empty, CANONICAL)


def test_ibm_sample_reads_completely_through_its_mapping(ibm_csv: Path) -> None:
    result = read_invoices(ibm_csv, load_mapping(IBM_MAPPING))
    assert result.rejects == []
    assert len(result.rows) == 2466
    assert len({row.customer_id for row in result.rows}) == 100
    ledger = result.to_ledger()
    late = (ledger.invoices["paid_date"] > ledger.invoices["due_date"]).mean()
    assert round(late * 100, 1) == 35.6  # the README's measured late share
    assert ledger.invoices["paid_date"].notna().all()
