"""``bench/sync.py`` runs at a tiny scale and prints its JSON summary last."""

import importlib.util
import json
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "sync.py"


def test_sync_bench_reports_calls_against_the_page_minimum(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("bench_sync", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(["--scale", "tiny"])
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["bench"] == "sync"
    assert result["target"] == 1.05
    assert result["ratio"] == pytest.approx(result["full_calls"] / result["minimum_calls"], abs=1e-3)
    assert result["ratio"] <= 1.05
    assert result["full"]["stripe"]["records"] >= 2_000
    # The achieved rate depends on the machine's load: the benchmark reports it, a test
    # only checks it was measured. Never exceeding the vendor's budget does not depend on load.
    assert 0 < result["rate_ratio"] <= 1.0
    assert result["throttled_429"] == 0
    assert set(result["incremental"]) == {"hubspot", "salesforce", "stripe"}
