"""The metrics benchmark runs end to end at a tiny scale and ends with its JSON line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_tiny_run_prints_the_result_json_last() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "metrics.py"), "--scale", "tiny", "--repeats", "1"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert {
        "bench",
        "ratio",
        "target",
        "peak_rss_mb",
        "metrics_seconds",
        "baseline_seconds",
    } <= set(result)
    assert result["bench"] == "metrics"
    assert result["target"] == 3.0
    assert result["ratio"] > 0
    assert result["invoices"] == 2_000
    assert result["groups"] <= 200
