"""``nudge dso`` on a CSV: JSON and text output, groups, rejected rows, the IBM sample."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from agent.cli.main import main
from tests.factories import IBM_MAPPING

HEADER = (
    "invoice_id,customer_id,customer_name,issue_date,due_date,amount,currency,"
    "paid_date,amount_paid,disputed,owner_email\n"
)


@pytest.fixture
def invoices_csv(tmp_path: Path) -> Path:
    path = tmp_path / "invoices.csv"
    path.write_text(
        HEADER
        + "A,ACME,Acme,2024-02-01,2024-03-02,1000,USD,2024-03-15,,false,ann@x.io\n"
        + "B,ACME,Acme,2024-03-05,2024-04-04,2000,USD,,500,false,ann@x.io\n"
        + "C,BOLT,Bolt,2024-03-10,2024-03-31,700,USD,,,false,\n"
        + "D,BOLT,Bolt,2024-03-12,2024-03-11,oops,USD,,,false,\n"
        + "E,BOLT,Bolt,2024-01-05,2024-02-04,300,USD,,,false,\n"
    )
    return path


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, dict, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, json.loads(out) if code == 0 else {}, err


def test_json_has_the_metric_names_at_top_level(invoices_csv: Path, capsys) -> None:
    code, payload, err = _json(
        capsys,
        [
            "dso",
            "--invoices",
            str(invoices_csv),
            "--as-of",
            "2024-03-31",
            "--period-days",
            "31",
            "--json",
        ],
    )
    assert code == 0
    # Open: B 1500 (after 500), C 700 (due on as-of), E 300; sales B + C = 2700.
    assert payload["ar"] == 2500
    assert payload["credit_sales"] == 2700
    assert payload["dso"] == pytest.approx(2500 / 2700 * 31)
    assert payload["aging"] == {
        "current": 2200.0,
        "1-30": 0.0,
        "31-60": 300.0,
        "61-90": 0.0,
        "91+": 0.0,
    }
    assert "groups" not in payload
    assert "1 row(s) rejected" in err
    assert "line 5: amount: 'oops' is not a number" in err


def test_by_customer_adds_groups(invoices_csv: Path, capsys) -> None:
    code, payload, _ = _json(
        capsys,
        [
            "dso",
            "--invoices",
            str(invoices_csv),
            "--as-of",
            "2024-03-31",
            "--period-days",
            "31",
            "--by",
            "owner",
            "--json",
        ],
    )
    assert code == 0
    assert set(payload["groups"]) == {"ann@x.io", "unassigned"}
    assert payload["groups"]["unassigned"]["ar"] == 1000
    assert payload["groups"]["ann@x.io"]["dso"] == pytest.approx(1500 / 2000 * 31)


def test_text_output_is_a_readable_table(invoices_csv: Path, capsys) -> None:
    code = main(["dso", "--invoices", str(invoices_csv), "--as-of", "2024-03-31", "--by", "customer"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Receivables as of 2024-03-31, period 30 days, in USD" in out
    assert "DSO" in out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("customer"))
    assert lines[header + 1].startswith("ACME")  # largest AR first


def test_an_unknown_currency_exits_2_with_a_hint(tmp_path: Path, capsys) -> None:
    path = tmp_path / "eur.csv"
    path.write_text(HEADER + "A,ACME,Acme,2024-03-01,2024-03-31,100,EUR,,,false,\n")
    argv = ["dso", "--invoices", str(path), "--as-of", "2024-03-31"]
    assert main(argv) == 2
    assert "no exchange rate from EUR to USD" in capsys.readouterr().err
    code, payload, _ = _json(capsys, [*argv, "--rate", "EUR=1.5", "--json"])
    assert (code, payload["ar"]) == (0, 150)


def test_a_file_with_no_good_rows_is_an_error(tmp_path: Path, capsys) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "A,ACME,Acme,2024-03-01,2024-03-31,x,USD,,,false,\n")
    assert main(["dso", "--invoices", str(path), "--as-of", "2024-03-31"]) == 2
    assert "no valid invoice rows" in capsys.readouterr().err


def test_ibm_sample_with_its_mapping_matches_a_direct_computation(capsys, ibm_csv: Path) -> None:
    code, payload, _ = _json(
        capsys,
        [
            "dso",
            "--invoices",
            str(ibm_csv),
            "--mapping",
            str(IBM_MAPPING),
            "--as-of",
            "2013-06-30",
            "--period-days",
            "90",
            "--by",
            "customer",
            "--json",
        ],
    )
    assert code == 0
    raw = pd.read_csv(ibm_csv, parse_dates=["InvoiceDate", "DueDate", "SettledDate"], date_format="%m/%d/%Y")
    as_of = pd.Timestamp("2013-06-30")
    open_rows = (raw["InvoiceDate"] <= as_of) & (raw["SettledDate"] > as_of)
    in_period = (raw["InvoiceDate"] > as_of - pd.Timedelta(days=90)) & (raw["InvoiceDate"] <= as_of)
    sales = raw.loc[in_period, "InvoiceAmount"].sum()
    ar = raw.loc[open_rows, "InvoiceAmount"].sum()
    assert payload["ar"] == pytest.approx(ar, abs=0.01)
    assert payload["dso"] == pytest.approx(ar / sales * 90, rel=1e-6)
    assert len(payload["groups"]) == raw["customerID"].nunique()
    assert sum(g["ar"] for g in payload["groups"].values()) == pytest.approx(ar, abs=0.05)
