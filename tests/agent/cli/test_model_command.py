"""`nudge model train|evaluate|backtest` on an invoice file in the canonical layout."""

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from agent.cli.main import main
from agent.settings import get_settings
from tests.models.factories import habit_book

METRICS = {"roc_auc", "average_precision", "brier", "ece", "mae_days_late"}


@pytest.fixture
def book_csv(tmp_path: Path) -> Path:
    book = habit_book(customers=30, per_customer=20)
    book["customer_name"] = book["customer_id"]
    book["currency"] = "USD"
    book["amount_paid"] = book["amount"]
    book["disputed"] = book["disputed"].map({True: "true", False: "false"})
    for column in ("issue_date", "due_date", "paid_date"):
        book[column] = pd.to_datetime(book[column]).dt.strftime("%Y-%m-%d")
    path = tmp_path / "invoices.csv"
    book.drop(columns=["delivery_channel"]).to_csv(path, index=False)
    return path


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("NUDGE_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    yield tmp_path / "home"
    get_settings.cache_clear()


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_evaluate_json_has_model_and_both_baselines(
    book_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = _json(capsys, ["model", "evaluate", "--data", str(book_csv), "--split", "time", "--json"])
    assert set(result["model"]) == METRICS
    assert set(result["baselines"]) == {"prior_late_rate", "invoice_only"}
    assert all(set(metrics) == METRICS for metrics in result["baselines"].values())
    assert result["train_rows"] + result["test_rows"] == 600
    assert result["train_rows"] == pytest.approx(450, abs=15)  # earliest 75 % by issue date
    months = result["calibration_by_month"]
    assert sum(month["invoices"] for month in months) == result["test_rows"]
    assert all(0 <= month["predicted_late_rate"] <= 1 for month in months)


def test_test_from_sets_the_cutoff(book_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = _json(
        capsys,
        ["model", "evaluate", "--data", str(book_csv), "--test-from", "2025-01-01", "--json"],
    )
    assert result["cutoff"] == "2025-01-01"
    book = pd.read_csv(book_csv)
    assert result["test_rows"] == int((book["issue_date"] >= "2025-01-01").sum())


def test_a_cutoff_past_every_invoice_is_a_user_error(
    book_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["model", "evaluate", "--data", str(book_csv), "--test-from", "2030-01-01"]) == 2
    assert "leaves no invoices" in capsys.readouterr().err


def test_train_saves_a_version_and_prints_its_card(
    book_csv: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card = _json(capsys, ["model", "train", "--data", str(book_csv), "--json"])
    assert card["rows"] == 600
    assert (home / "models" / card["version"] / "card.json").is_file()
    assert set(card["evaluation"]["model"]) == METRICS


def test_backtest_reports_one_fold_per_cutoff(book_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["model", "backtest", "--data", str(book_csv), "--cutoffs", "2024-11-01,2025-03-01"]
    result = _json(capsys, [*argv, "--json"])
    assert [fold["cutoff"] for fold in result["folds"]] == ["2024-11-01", "2025-03-01"]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    for fold in result["folds"]:
        first = next(i for i, line in enumerate(lines) if line.startswith(fold["cutoff"]))
        scorers = [line[25:].split()[0] for line in lines[first : first + 3]]
        assert scorers == ["model", "prior_late_rate", "invoice_only"]
        assert lines[first].split()[4] == fold["served"]
        baseline = fold["baselines"]["invoice_only"]
        assert lines[first + 2].split()[1:] == [
            f"{baseline['roc_auc']:.3f}",
            f"{baseline['average_precision']:.3f}",
            f"{baseline['ece']:.3f}",
            f"{baseline['mae_days_late']:.2f}",
        ]
