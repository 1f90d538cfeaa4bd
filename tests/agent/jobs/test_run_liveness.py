"""A run whose process died is shown failed as soon as the runs are read, not at the next run."""

from __future__ import annotations

import socket
import subprocess
import sys

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from agent.app import create_app
from agent.db.database import Database
from agent.jobs.liveness import INTERRUPTED, RUNNER
from agent.jobs.tables import JobRun
from agent.settings import Settings
from agent.sync.tables import SyncRun
from tests.factories import make_person, token_for


def a_dead_pid() -> int:
    """The pid of a process of this host that has exited."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait(timeout=30)
    return process.pid


def test_runs_of_a_dead_process_are_marked_failed_when_listed(
    database: Database, settings: Settings, session: Session
) -> None:
    dead = f"{socket.gethostname()}:{a_dead_pid()}"
    session.add_all(
        [
            JobRun(name="cycle", status="running", runner=dead),
            JobRun(name="deliver", status="running", runner=RUNNER),  # this very process: alive
            JobRun(name="retrain", status="running", runner="another-host:1"),  # not ours to judge
            SyncRun(source="stripe", status="running", runner=dead),
        ]
    )
    session.commit()
    ops = {
        "Authorization": f"Bearer {token_for(session, make_person(session, 'ops@nudge.example', role='ops'))}"
    }
    client = TestClient(create_app(settings=settings, database=database))
    jobs = client.get("/api/jobs/runs", headers=ops).json()
    assert {(r["name"], r["status"], r["error"]) for r in jobs} == {
        ("cycle", "failed", INTERRUPTED),
        ("deliver", "running", None),
        ("retrain", "running", None),
    }
    syncs = client.get("/api/sync/runs", headers=ops).json()
    assert [(r["source"], r["status"], r["errors"]) for r in syncs] == [("stripe", "failed", [INTERRUPTED])]
