"""Enqueue notifications into the outbox through routing, exactly once.

Routing plans what is due from the alerts and its log (:mod:`agent.alerts.routing_log`,
rows updated here). Every notification becomes one outbox row with a deterministic
``dedup_key`` per (group, receiver, reason, alerts, hour), so a retried or concurrent
cycle cannot add the same notification twice. Each row gets its channel and send time
(:mod:`agent.alerts.channels`): ``pending`` until ``next_attempt_at``, when the delivery
workers batch it into a message; or ``undeliverable`` at once, with the reason, when the
recipient cannot be reached.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.alerts.channels import Destination, Reachable, destination
from agent.alerts.convert import key_of
from agent.alerts.routing_log import group_to_json, load_log, remember
from agent.alerts.tables import Alert as AlertRow
from agent.alerts.tables import OutboxMessage
from agent.profile.tables import Person
from rules import AlertKey
from rules.routing import Inhibition, Muter, Notification, PendingAlert, RoutingConfig, plan

ALERTS_KIND = "alerts"


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
    served: Collection[str],
    digest_hour: int,
    muters: Iterable[Muter] = (),
) -> list[OutboxMessage]:
    """Plan what is due for the firing ``rows`` and add one outbox row per new notification.

    ``served`` are the channels a notifier serves; rows for others are undeliverable.
    """
    alerts = pending_alerts(rows)
    log = load_log(session=session, now=now)
    notifications = plan(config, alerts, now=now, log=log, muters=[*muters, *inhibitions(config, alerts)])
    by_key = {key_of(row): row for row in rows}
    people = reachable_people(session=session)
    messages = [
        _message(n, by_key, _destination(n, by_key, people, served, digest_hour, config))
        for n in notifications
    ]
    known = set(
        session.scalars(
            select(OutboxMessage.dedup_key).where(
                OutboxMessage.dedup_key.in_([m.dedup_key for m in messages])
            )
        )
    )
    fresh = [(n, m) for n, m in zip(notifications, messages, strict=True) if m.dedup_key not in known]
    remember(session=session, config=config, notifications=[n for n, _ in fresh], now=now)
    session.add_all(m for _, m in fresh)
    session.flush()
    return [m for _, m in fresh]


def reachable_people(*, session: Session) -> dict[str, Reachable]:
    """Active people by e-mail address, with what delivery needs to reach them."""
    query = select(Person.email, Person.name, Person.time_zone, Person.slack_id).where(
        Person.active.is_(True)
    )
    return {
        email: Reachable(email=email, name=name, timezone=zone or "UTC", slack_id=slack_id)
        for email, name, zone, slack_id in session.execute(query)
    }


def _destination(
    notification: Notification,
    alerts: dict[AlertKey, AlertRow],
    people: dict[str, Reachable],
    served: Collection[str],
    digest_hour: int,
    config: RoutingConfig,
) -> Destination:
    recipient = notification.recipient
    person = people.get(recipient.address) if recipient.kind == "person" else None
    zone = config.person(recipient.person).timezone if recipient.person else config.defaults.timezone
    return destination(
        notification,
        person=person,
        served=served,
        severities=[alerts[key].severity for key in notification.alert_keys if key in alerts],
        digest_hour=digest_hour,
        timezone=zone,
    )


def _message(
    notification: Notification, alerts: dict[AlertKey, AlertRow], where: Destination
) -> OutboxMessage:
    recipient = notification.recipient
    members = [alerts[key] for key in notification.alert_keys if key in alerts]
    payload: dict[str, Any] = {
        "kind": ALERTS_KIND,
        "group": group_to_json(notification.group),
        "receiver": recipient.receiver,
        "recipient": recipient.address,
        "recipient_kind": recipient.kind,
        "person": recipient.person if recipient.kind == "person" else None,
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
        channel=where.channel,
        payload=payload,
        status="undeliverable" if where.undeliverable else "pending",
        last_error=where.undeliverable,
        next_attempt_at=where.send_at,
    )


def dedup_key(notification: Notification) -> str:
    """Same group, receiver, reason, alerts and hour -> same key."""
    basis = [
        group_to_json(notification.group),
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
