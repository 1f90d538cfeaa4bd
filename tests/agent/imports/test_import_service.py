"""Importing invoice files into the profile store, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from agent.cli.main import main
from agent.db.database import Database
from agent.imports.tables import ImportBatch, ImportReject
from agent.profile.tables import Account, Invoice, Payment, Person
from tests.factories import IBM_MAPPING, canonical_row, write_csv


@pytest.fixture
def cli_db(database: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    """Point the CLI at the test database."""
    monkeypatch.setenv("NUDGE_DATABASE_URL", database.engine.url.render_as_string(hide_password=False))
    return database


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, object]]:
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, json.loads(out.strip().splitlines()[-1]) if out.strip() else {}


def count(database: Database, column: Any) -> int:
    with database.sessions() as session:
        return int(session.scalar(select(func.count(column))) or 0)


def test_ibm_sample_loads_once_and_reimport_never_duplicates(
    cli_db: Database, capsys: pytest.CaptureFixture[str], ibm_csv: Path
) -> None:
    code, first = run_json(capsys, "import", str(ibm_csv), "--mapping", str(IBM_MAPPING), "--json")
    assert code == 0
    assert (first["loaded"], first["updated"], first["rejected"], first["rejects"]) == (
        2466,
        0,
        0,
        [],
    )
    assert count(cli_db, Invoice.id) == 2466
    assert count(cli_db, Account.id) == 100

    code, second = run_json(capsys, "import", str(ibm_csv), "--mapping", str(IBM_MAPPING), "--json")
    assert code == 0
    assert (second["loaded"], second["updated"], second["unchanged"]) == (0, 0, 2466)
    assert count(cli_db, Invoice.id) == 2466
    assert count(cli_db, Payment.id) == 2466
    with cli_db.sessions() as session:
        total = session.scalar(select(func.sum(Invoice.amount)))
    assert total == Decimal("147703.18")


def test_bad_rows_are_reported_kept_aside_and_good_rows_load(
    cli_db: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rows = [
        canonical_row(invoice_id="INV-1"),
        canonical_row(invoice_id="INV-2", issue_date="31/12/2026"),
        canonical_row(invoice_id="INV-3", amount="twelve"),
        canonical_row(invoice_id="INV-4", customer_id=""),
        canonical_row(
            invoice_id="INV-5",
            amount="-250.00",
            customer_id="C-002",
            customer_name="Contoso",
            customer_domain="contoso.io",
        ),
    ]
    path = write_csv(tmp_path / "book.csv", rows)
    code, report = run_json(capsys, "import", str(path), "--json")
    assert code == 0
    assert report["loaded"] == 2
    assert report["rejects"] == [
        {"line": 3, "error": "issue_date: '31/12/2026' is not a date in the format %Y-%m-%d"},
        {"line": 4, "error": "amount: 'twelve' is not a number"},
        {"line": 5, "error": "customer_id: missing value"},
    ]
    with Path(str(report["rejects_file"])).open(newline="") as handle:
        kept = list(csv.DictReader(handle))
    assert [(r["line"], r["invoice_id"]) for r in kept] == [
        ("3", "INV-2"),
        ("4", "INV-3"),
        ("5", "INV-4"),
    ]
    with cli_db.sessions() as session:
        assert session.scalar(select(func.count(ImportReject.id))) == 3
        assert session.scalar(select(ImportBatch.rejected)) == 3
        owner = session.scalar(select(Person).where(Person.email == "maya.chen@nudge.example"))
        assert owner is not None
        accounts = session.scalars(select(Account).order_by(Account.name)).all()
        assert [a.name for a in accounts] == ["Contoso", "Northwind Logistics"]
        assert all(a.owner_id == owner.id for a in accounts)


def test_changed_row_updates_the_invoice(
    cli_db: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "a.csv", [canonical_row()])
    run_json(capsys, "import", str(path), "--json")
    write_csv(path, [canonical_row(paid_date="2026-10-03")])
    _, report = run_json(capsys, "import", str(path), "--json")
    assert (report["loaded"], report["updated"]) == (0, 1)
    with cli_db.sessions() as session:
        invoice = session.scalars(select(Invoice)).one()
        assert (invoice.status, invoice.amount_open) == ("paid", Decimal(0))
        assert session.scalar(select(func.count(Payment.id))) == 1


def test_unreadable_file_exits_2_with_the_reason(
    cli_db: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = main(["import", str(tmp_path / "missing.csv")])
    assert code == 2
    assert "missing.csv: cannot open" in capsys.readouterr().err
