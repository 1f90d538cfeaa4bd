"""``nudge serve`` as a real process: the scheduler runs the cycle on start and stops cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from agent.db.database import Database
from agent.settings import Settings
from connectors.core.emulator import free_port
from tests.agent.jobs.factories import job_runs
from tests.factories import REPO_ROOT

pytestmark = pytest.mark.slow


def test_serve_runs_the_cycle_and_delivers_on_start_and_shuts_the_scheduler_down(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUDGE_")}
    env.update({"NUDGE_HOME": str(tmp_path), "NUDGE_DATABASE_URL": url, "PYTHONPATH": str(REPO_ROOT)})
    server = subprocess.Popen(
        [sys.executable, "-m", "agent.cli.main", "serve", "--port", str(free_port())],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        database = _wait_for_database(url)
        deadline = time.monotonic() + 30
        while {run.name for run in job_runs(database) if run.status == "ok"} != {"cycle", "deliver"}:
            assert server.poll() is None, "nudge serve exited early"
            assert time.monotonic() < deadline, "no cycle and delivery ran within 30 s of start"
            time.sleep(0.1)
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=20)

    assert server.returncode == 0, output
    assert "job cycle ok" in output
    assert output.index("job cycle ok") < output.index("Scheduler has been shut down")
    [cycle] = [run for run in job_runs(database) if run.name == "cycle"]
    assert cycle.status == "ok"
    assert {run.status for run in job_runs(database) if run.name == "deliver"} == {"ok"}
    database.close()


def _wait_for_database(url: str) -> Database:
    """The server's database once it has been migrated (the server does that on start)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            database = Database.open(Settings(database_url=url), migrate=False)
            job_runs(database)
            return database
        except OperationalError:  # not migrated yet
            assert time.monotonic() < deadline, "nudge serve did not create its database"
            time.sleep(0.1)
