"""``nudge deliver`` killed with SIGKILL mid-batch, then run again: every message exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from agent.db.database import Database
from agent.settings import Settings
from tests.agent.delivery.factories import deliveries, due_by_the_wall_clock
from tests.conftest import BOOK_DATE
from tests.connectors.recorder.install import Recorder, install_recorder


def subprocess_env(settings: Settings, recorder: Recorder, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        **recorder.environment(),
        "NUDGE_DATABASE_URL": settings.resolved_database_url,
        "NUDGE_HOME": str(settings.home),
        "NUDGE_AS_OF": BOOK_DATE.isoformat(),
        **extra,
    }


def test_a_killed_deliver_run_again_sends_every_message_exactly_once(
    session: Session, database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    recorder = install_recorder(
        monkeypatch, tmp_path, channels='["email", "slack_dm", "slack_channel", "crm_task"]'
    )
    due_by_the_wall_clock(session, settings)
    command = [sys.executable, "-m", "agent.cli.main", "deliver", "--json"]

    slow = subprocess_env(settings, recorder, NUDGE_RECORDER_DELAY_SECONDS="0.3")
    killed = subprocess.Popen(command, env=slow, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while len(recorder.records()) < 2:
        assert killed.poll() is None, killed.communicate()
        assert time.monotonic() < deadline, "deliver sent nothing"
        time.sleep(0.05)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    left = [d for d in deliveries(session) if d.state != "sent"]
    assert left, "the kill should land mid-batch"

    again = subprocess.run(command, env=subprocess_env(settings, recorder), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["status"] == "ok"
    messages = deliveries(session)
    assert {d.state for d in messages} == {"sent"}
    received = Counter(record["key"] for record in recorder.records())
    assert set(received) == {d.key for d in messages}
    # At most the one message in flight when the kill landed went out again, with the same key.
    assert sum(count - 1 for count in received.values()) <= 1
