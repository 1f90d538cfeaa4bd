"""bench/scoring.py runs at a tiny scale and ends with its JSON figures."""

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "scoring.py"


def test_tiny_scale_prints_the_figures_as_the_last_line() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--scale", "tiny"], capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["bench"] == "scoring"
    assert result["target"] == 2.0
    assert result["open_invoices"] > 500
    assert result["ratio"] > 0
    assert result["features_seconds"] > 0
    assert result["peak_rss_mb"] > 0
    assert result["peak_rss_target_mb"] == 2048
    assert result["single_invoice_median_ms"] > 0
    assert 0 < result["mean_p_late"] < 1
