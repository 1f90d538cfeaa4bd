"""The CLI imports only what a command uses: help and ``rules check`` stay off the web app and the model."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
COMMANDS = ROOT / "agent" / "cli" / "commands"
HEAVY = ("sklearn", "fastapi", "agent.app", "agent.web")
IMPORT_LINE = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*(?P<module>\S+)\s*$")


def imported_modules(*argv: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run ``nudge ARGV`` in a fresh interpreter; its result and every module it imported."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "agent.cli.main", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    modules = {match["module"] for line in result.stderr.splitlines() if (match := IMPORT_LINE.match(line))}
    return result, modules


def loaded_heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == heavy or m.startswith(heavy + ".") for heavy in HEAVY))


def test_help_lists_every_command_without_the_web_app_or_scikit_learn() -> None:
    result, modules = imported_modules("--help")
    assert result.returncode == 0, result.stderr
    listed = re.findall(r"^    (\w+) ", result.stdout, flags=re.MULTILINE)
    assert listed == sorted(path.stem.removesuffix("_cmd") for path in COMMANDS.glob("[!_]*.py"))
    assert "agent.cli.common" in modules  # the report is real
    assert loaded_heavy(modules) == []


def test_rules_check_without_the_web_app_or_scikit_learn() -> None:
    result, modules = imported_modules("rules", "check", "rules/pack")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("SUCCESS rules/pack/")
    assert "rules.loader" in modules
    assert loaded_heavy(modules) == []
