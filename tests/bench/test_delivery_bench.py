"""``bench/delivery.py`` runs end to end at a tiny scale and ends with its JSON line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_delivery_bench_sends_every_message_once_and_reports_its_rate() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "delivery.py"), "--scale", "tiny"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["bench"] == "delivery"
    assert result["target"] == 0.9
    assert (result["alerts"], result["accounts"], result["people"]) == (400, 40, 8)
    assert result["messages"] == 40  # one e-mail per account, to its owner, wave after wave
    assert (result["duplicates"], result["missing"]) == (0, 0)
    assert result["allowed_rate"] == 20.0
    assert result["ratio"] > 0
    assert result["baseline_rate"] > 0
    slack = result["slack"]
    assert slack["messages"] == 40  # one Slack message per account group, in its owner's DM
    assert (slack["duplicates"], slack["missing"], slack["unhandled_429"]) == (0, 0, 0)
    assert slack["allowed_rate"] == 8 * 20.0
    assert slack["ratio"] > 0
