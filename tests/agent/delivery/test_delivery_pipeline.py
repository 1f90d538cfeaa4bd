"""The delivery pipeline on the demo book, through a real (recording) notifier plugin."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from agent.db.database import Database
from agent.settings import Settings
from tests.agent.alerts.factories import run_cycle
from tests.agent.delivery.factories import deliver, deliveries, due_notifications, states
from tests.connectors.recorder.install import install_recorder


def test_one_cycle_sends_one_message_per_person_grouped_per_account(
    session: Session, database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    recorder = install_recorder(monkeypatch, tmp_path, channels='["email", "slack_dm", "slack_channel", "crm_task"]')
    rows = due_notifications(session, settings)
    assert rows
    report = deliver(database, settings)
    sent = recorder.records()
    assert report.totals["sent"] == len(sent) > 0
    assert report.totals["failed"] == 0
    by_recipient = defaultdict(list)
    for message in sent:
        by_recipient[(message["channel"], message["recipient"])].append(message)
    assert all(len(messages) == 1 for messages in by_recipient.values())
    expected_accounts = defaultdict(set)
    for row in rows:
        expected_accounts[(row.channel, row.receiver)].update(a["account_id"] for a in row.payload["alerts"])
    for (channel, recipient), [message] in by_recipient.items():
        assert len(message["accounts"]) == len(set(message["accounts"]))  # one section per account
        assert set(message["accounts"]) == expected_accounts[(channel, recipient)]
    assert set(by_recipient) == set(expected_accounts)
    assert states(session) == {"sent": len(sent)}

