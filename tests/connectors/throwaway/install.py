"""Install the Ledgerly plugin for one test: a ``*.dist-info`` with its entry point on sys.path."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.core.registry import GROUP


def register_ledgerly(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``importlib.metadata.entry_points`` find Ledgerly, as if ``pip install``-ed."""
    dist_info = root / "nudge_ledgerly-0.1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: nudge-ledgerly\nVersion: 0.1.0\n")
    (dist_info / "entry_points.txt").write_text(
        f"[{GROUP}]\nledgerly = tests.connectors.throwaway.plugin:CONNECTOR\n"
    )
    monkeypatch.syspath_prepend(str(root))
