"""``bench/rules.py`` runs at a tiny scale and prints its JSON summary last."""

import importlib.util
import json
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "rules.py"


def test_rules_bench_reports_ratio_against_hand_masks(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("bench_rules", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--scale", "tiny"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["bench"] == "rules"
    assert result["target"] == 3.0
    assert result["invoices"] == 20_000
    assert result["rules"] == 9
    assert result["identical_masks"] is True
    # Seconds are rounded to 0.1 ms in the output, so at this scale only the sign is stable.
    assert result["ratio"] > 0
    assert all(count > 0 for count in result["fired"].values())
