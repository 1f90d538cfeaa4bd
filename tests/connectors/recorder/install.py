"""Install the recording notifier as a plugin for this test (and its subprocesses)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Recorder:
    """Where the plugin writes, and what it recorded."""

    file: Path
    site: Path

    def records(self) -> list[dict[str, Any]]:
        """Every message the notifier accepted, in order."""
        if not self.file.exists():
            return []
        return [json.loads(line) for line in self.file.read_text().splitlines()]

    def attempts(self) -> list[str]:
        """The key of every send call, failed ones included."""
        path = self.file.with_suffix(".attempts")
        return [json.loads(line)["key"] for line in path.read_text().splitlines()] if path.exists() else []

    def environment(self) -> dict[str, str]:
        """Variables a subprocess needs to load the plugin."""
        paths = [str(self.site), str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]
        return {"PYTHONPATH": os.pathsep.join(p for p in paths if p)}


def install_recorder(monkeypatch: pytest.MonkeyPatch, folder: Path, **settings: str) -> Recorder:
    """Register the ``recorder`` entry point (a dist-info on ``sys.path``) and configure it."""
    site = folder / "plugins"
    info = site / "nudge_test_recorder-0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: nudge-test-recorder\nVersion: 0\n")
    (info / "entry_points.txt").write_text(
        "[nudge.connectors]\nrecorder = tests.connectors.recorder.plugin:CONNECTOR\n"
    )
    monkeypatch.syspath_prepend(str(site))
    file = folder / "sent.jsonl"
    monkeypatch.setenv("NUDGE_RECORDER_FILE", str(file))
    for name, value in settings.items():
        monkeypatch.setenv(f"NUDGE_RECORDER_{name.upper()}", value)
    return Recorder(file=file, site=site)
