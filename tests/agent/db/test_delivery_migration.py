"""Migration 0008 carries routing's log over from the outbox's JSON, so nothing is re-sent."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text

from agent.db.engine import make_engine
from agent.db.migrate import alembic_config
from agent.db.types import UTCDateTime


def payload(reason: str, send_at: datetime, keys: list[list[str | None]]) -> str:
    group = ["root", "account-owner", "ana@acme.test", [["account", "7"]]]
    return json.dumps(
        {
            "kind": "alerts",
            "group": group,
            "receiver": "account-owner",
            "recipient": "marc@acme.test" if reason == "escalation" else "ana@acme.test",
            "person": "ana@acme.test",
            "reason": reason,
            "delivery": "now",
            "send_at": send_at.isoformat(),
            "alert_keys": keys,
            "alerts": [],
        }
    )


def test_upgrading_fills_the_routing_log_from_recent_outbox_rows(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'nudge.db'}")
    config = alembic_config(engine)
    now = datetime.now(UTC).replace(microsecond=0)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        before = ScriptDirectory.from_config(config).get_revision("0008").down_revision
        assert isinstance(before, str)
        command.upgrade(config, before)
        stamp = UTCDateTime().process_bind_param(now, connection.dialect)
        rows = [
            ("first", payload("first", now - timedelta(hours=5), [["overdue", "7", "70"]]), "email"),
            (
                "later",
                payload(
                    "new_alerts", now - timedelta(hours=1), [["overdue", "7", "70"], ["risk", "7", None]]
                ),
                "digest",
            ),
            ("up", payload("escalation", now - timedelta(hours=2), [["overdue", "7", "70"]]), "slack_dm"),
        ]
        for key, body, channel in rows:
            connection.execute(
                text(
                    "INSERT INTO outbox (dedup_key, receiver, channel, payload, status, attempts,"
                    " next_attempt_at, created_at)"
                    " VALUES (:key, 'ana@acme.test', :channel, :body, 'pending', 0, :at, :at)"
                ),
                {"key": key, "channel": channel, "body": body, "at": stamp},
            )
        command.upgrade(config, "head")
        sends = connection.execute(text("SELECT group_key, alert_keys FROM routing_group_sends")).all()
        escalations = connection.execute(
            text("SELECT alert_identity, recipient FROM routing_escalations")
        ).all()
        channels = connection.execute(text("SELECT channel FROM outbox ORDER BY id")).scalars().all()
    engine.dispose()
    assert [(json.loads(g)[2], json.loads(k)) for g, k in sends] == [
        ("ana@acme.test", [["overdue", "7", "70"], ["risk", "7", None]])
    ]
    assert escalations == [("overdue|7|70", "marc@acme.test")]
    assert channels == ["email", "email", "slack_dm"]
