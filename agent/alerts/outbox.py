"""Enqueue notifications into the outbox through routing, exactly once.

The outbox is also the delivery log: what :func:`rules.routing.plan` needs between cycles
(when each group was last sent, escalations done, messages per person per day) is rebuilt
from the rows of the last :data:`LOG_WINDOW`; a row deferred by quiet hours counts as sent
at the time it may go out, so later cycles neither repeat nor re-defer it. Every row has
a deterministic ``dedup_key`` per (group, receiver, reason, alerts, hour), so a retried
or concurrent cycle cannot add the same notification twice. Rows are ``pending`` with
``next_attempt_at`` = when they may go out (after quiet hours); channels without a
notifier yet simply stay pending until one claims them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.alerts.convert import key_of
from agent.alerts.tables import Alert as AlertRow
from agent.alerts.tables import OutboxMessage
from agent.profile.tables import Person
from rules import AlertKey
from rules.routing import (
    DeliveryLog,
    Inhibition,
    Muter,
    Notification,
    PendingAlert,
    RoutingConfig,
    plan,
    record,
)

LOG_WINDOW = timedelta(days=30)
ALERTS_KIND = "alerts"


def delivery_log(*, session: Session, config: RoutingConfig, now: datetime) -> DeliveryLog:
    """What was handed to delivery in the last :data:`LOG_WINDOW`, as routing's log."""
    log = DeliveryLog()
    rows = session.scalars(
        select(OutboxMessage).where(OutboxMessage.created_at >= now - LOG_WINDOW).order_by(OutboxMessage.id)
    )
    for row in rows:
        payload = row.payload
        if payload.get("kind") != ALERTS_KIND:
            continue
        keys = frozenset(_key(k) for k in payload["alert_keys"])
        send_at = datetime.fromisoformat(payload["send_at"])
        if payload["reason"] == "escalation":
            log.escalated.update((key, payload["recipient"]) for key in keys)
            continue
        group = _group(payload["group"])
        if group not in log.last_sent or log.last_sent[group][0] <= send_at:
            log.last_sent[group] = (send_at, keys)
        person = payload.get("person")
        if payload["delivery"] == "now" and person:
            day = send_at.astimezone(ZoneInfo(config.person(person).timezone)).date().isoformat()
            log.sent_per_day[(person, day)] += 1
    return log


def pending_alerts(rows: Iterable[AlertRow]) -> list[PendingAlert]:
    """Firing alerts (acknowledged and snoozed ones get no reminders)."""
    return [
        PendingAlert(key=key_of(row), labels=dict(row.labels), opened_at=row.first_fired_at)
        for row in rows
        if row.state == "firing"
    ]


def inhibitions(config: RoutingConfig, alerts: Sequence[PendingAlert]) -> list[Muter]:
    """The routing file's inhibit rules, bound to the alerts firing now."""
    firing = [alert.labels for alert in alerts]
    return [Inhibition(rule, firing) for rule in config.inhibit_rules]


def enqueue(
    *,
    session: Session,
    config: RoutingConfig,
    rows: Sequence[AlertRow],
    now: datetime,
    muters: Iterable[Muter] = (),
) -> list[OutboxMessage]:
    """Plan what is due for the firing ``rows`` and add one outbox row per new notification."""
    alerts = pending_alerts(rows)
    log = delivery_log(session=session, config=config, now=now)
    notifications = plan(config, alerts, now=now, log=log, muters=[*muters, *inhibitions(config, alerts)])
    by_key = {key_of(row): row for row in rows}
    slack_ids = slack_ids_by_email(session=session)
    messages = [_message(n, by_key, slack_ids) for n in notifications]
    known = set(
        session.scalars(
            select(OutboxMessage.dedup_key).where(
                OutboxMessage.dedup_key.in_([m.dedup_key for m in messages])
            )
        )
    )
    fresh = [m for m in messages if m.dedup_key not in known]
    for notification in notifications:
        record(log, config, notification)
    session.add_all(fresh)
    return fresh


def _message(
    notification: Notification, alerts: dict[AlertKey, AlertRow], slack_ids: dict[str, str | None]
) -> OutboxMessage:
    recipient = notification.recipient
    members = [alerts[key] for key in notification.alert_keys if key in alerts]
    payload: dict[str, Any] = {
        "kind": ALERTS_KIND,
        "group": _group_json(notification.group),
        "receiver": recipient.receiver,
        "recipient": recipient.address,
        "person": recipient.person if recipient.kind == "person" else None,
        "slack_id": slack_ids.get(recipient.address) if recipient.kind == "person" else None,
        "reason": notification.reason,
        "delivery": notification.delivery,
        "send_at": notification.send_at.isoformat(),
        "alert_keys": [list(key) for key in notification.alert_keys],
        "alerts": [_alert_json(row) for row in members],
    }
    return OutboxMessage(
        dedup_key=dedup_key(notification),
        alert_id=members[0].id if members else None,
        receiver=recipient.address,
        channel=channel(notification, slack_ids),
        payload=payload,
        status="pending",
        next_attempt_at=notification.send_at,
    )


def slack_ids_by_email(*, session: Session) -> dict[str, str | None]:
    """People reachable by Slack direct message."""
    query = select(Person.email, Person.slack_id).where(Person.slack_id.is_not(None))
    return dict(session.execute(query).tuples().all())


def channel(notification: Notification, slack_ids: dict[str, str | None]) -> str:
    """How the notification travels: a Slack DM, a channel post, a CRM task, an email, the digest."""
    recipient = notification.recipient
    if notification.delivery == "digest":
        return "digest"
    if recipient.kind == "person":
        return "slack_dm" if slack_ids.get(recipient.address) else "email"
    return recipient.kind


def dedup_key(notification: Notification) -> str:
    """Same group, receiver, reason, alerts and hour -> same key."""
    basis = [
        _group_json(notification.group),
        notification.reason,
        [list(key) for key in notification.alert_keys],
        notification.send_at.strftime("%Y-%m-%dT%H"),
    ]
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()


def _alert_json(row: AlertRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "rule": row.rule,
        "severity": row.severity,
        "message": row.message,
        "account_id": row.account_id,
        "invoice_id": row.invoice_id,
    }


def _group_json(group: tuple[str, str, str, tuple[tuple[str, str], ...]]) -> list[Any]:
    route, receiver, address, values = group
    return [route, receiver, address, [list(pair) for pair in values]]


def _group(data: list[Any]) -> tuple[str, str, str, tuple[tuple[str, str], ...]]:
    route, receiver, address, values = data
    return (route, receiver, address, tuple((str(n), str(v)) for n, v in values))


def _key(data: list[Any]) -> AlertKey:
    rule, account, invoice = data
    return (rule, account, invoice)
