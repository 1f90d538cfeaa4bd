"""Routing's log kept as rows gives the plan the old rebuild from the outbox's JSON gave."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.alerts.outbox import inhibitions, pending_alerts
from agent.alerts.routing import load_product_routing
from agent.alerts.routing_log import LOG_WINDOW, group_from_json, load_log
from agent.alerts.silences import active_muters
from agent.alerts.tables import Alert, OutboxMessage
from agent.settings import Settings
from rules.routing import DeliveryLog, RoutingConfig, plan
from tests.agent.alerts.factories import CYCLE_START, load_book, run_cycle
from tests.connectors.recorder.install import install_recorder


def rebuilt_from_outbox(session: Session, config: RoutingConfig, now: datetime) -> DeliveryLog:
    """The log as the outbox's JSON payloads tell it (how every cycle used to rebuild it)."""
    log = DeliveryLog()
    rows = session.scalars(
        select(OutboxMessage).where(OutboxMessage.created_at >= now - LOG_WINDOW).order_by(OutboxMessage.id)
    )
    for payload in (row.payload for row in rows):
        if payload.get("kind") != "alerts":
            continue
        keys = frozenset((rule, account, invoice) for rule, account, invoice in payload["alert_keys"])
        send_at = datetime.fromisoformat(payload["send_at"])
        if payload["reason"] == "escalation":
            log.escalated.update((key, payload["recipient"]) for key in keys)
            continue
        group = group_from_json(payload["group"])
        if group not in log.last_sent or log.last_sent[group][0] <= send_at:
            log.last_sent[group] = (send_at, keys)
        if payload["delivery"] == "now" and payload.get("person"):
            zone = ZoneInfo(config.person(payload["person"]).timezone)
            log.sent_per_day[(payload["person"], send_at.astimezone(zone).date().isoformat())] += 1
    return log


def test_the_routing_log_rows_plan_what_the_json_rebuild_planned(
    session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    install_recorder(monkeypatch, tmp_path, channels='["email", "slack_dm", "slack_channel", "crm_task"]')
    load_book(session)
    for after in (timedelta(), timedelta(hours=1), timedelta(days=1, hours=2), timedelta(days=1, hours=3)):
        run_cycle(session, settings, after=after)
    config = load_product_routing(session=session)
    for later in (timedelta(days=1, hours=4), timedelta(days=2, hours=3)):
        now = CYCLE_START + later
        rows = pending_alerts(session.scalars(select(Alert)))
        muters = [*active_muters(session=session, now=now), *inhibitions(config, rows)]
        kept, old = load_log(session=session, now=now), rebuilt_from_outbox(session, config, now)
        assert kept.last_sent == old.last_sent
        assert kept.escalated == old.escalated
        assert {k: v for k, v in kept.sent_per_day.items() if v} == {
            k: v for k, v in old.sent_per_day.items() if v
        }
        planned = plan(config, rows, now=now, log=kept, muters=muters)
        assert planned == plan(config, rows, now=now, log=old, muters=muters)
    assert {n.reason for n in planned} >= {"repeat"}, "a day later, unchanged groups are reminded"
    assert kept.escalated, "the second day escalates unacknowledged high alerts"
    assert kept.last_sent
