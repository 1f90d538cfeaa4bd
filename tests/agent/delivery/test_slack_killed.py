"""``nudge deliver`` to Slack killed with SIGKILL mid-batch, then run again: compared with
what the Slack emulator holds, every message was posted exactly once and none is lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from agent.alerts.evaluate import evaluate_alerts
from agent.db.database import Database
from agent.db.types import utcnow
from agent.profile.tables import Person
from agent.settings import Settings
from tests.agent.alerts.factories import load_book
from tests.agent.delivery.factories import deliveries, midday_zone
from tests.conftest import BOOK_DATE
from tests.connectors.slack.workspace import slack_workspace


def test_a_killed_slack_delivery_run_again_posts_every_message_exactly_once(
    session: Session, database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_book(session)
    with slack_workspace(session, monkeypatch) as workspace:
        session.execute(update(Person).values(time_zone=midday_zone(utcnow())))
        start = utcnow() - timedelta(days=3)
        for at in (start, start + timedelta(hours=1)):
            evaluate_alerts(session=session, settings=settings, now=at)
            session.commit()
        env = {
            **os.environ,
            **workspace.env,
            "NUDGE_DATABASE_URL": settings.resolved_database_url,
            "NUDGE_HOME": str(settings.home),
            "NUDGE_AS_OF": BOOK_DATE.isoformat(),
        }
        command = [sys.executable, "-m", "agent.cli.main", "deliver", "--json"]
        emulator = workspace.emulator
        emulator.post_answer_delay_seconds = 0.3
        killed = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while len(emulator.posts) < 3:
            assert killed.poll() is None, killed.communicate()
            assert time.monotonic() < deadline, "deliver posted nothing"
            time.sleep(0.02)
        killed.send_signal(signal.SIGKILL)
        killed.wait()
        slack = [d for d in deliveries(session) if d.channel.startswith("slack")]
        assert [d for d in slack if d.state != "sent"], "the kill should land mid-batch"

        emulator.post_answer_delay_seconds = 0.0
        again = subprocess.run(command, env=env, capture_output=True, text=True)
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout)["status"] == "ok"
        slack = [d for d in deliveries(session) if d.channel.startswith("slack")]
        assert {d.state for d in slack} == {"sent"}
        posted = Counter(workspace.keys())
        assert set(posted) == {d.key for d in slack}
        assert max(posted.values()) == 1  # nothing posted twice, even the one in flight
        assert sorted(str(d.vendor_ref) for d in slack) == sorted(f"{c}:{t}" for c, t in emulator.posts)
