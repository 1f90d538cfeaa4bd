"""Routing's delivery log kept as rows, updated as notifications are enqueued.

:func:`rules.routing.plan` needs, between cycles, when each group was last handed to
delivery (with its alerts), which escalations were done, and how many direct messages
each person got per local day. A notification deferred by quiet hours counts as sent at
the time it may go out, so later cycles neither repeat nor re-defer it. Entries older
than :data:`LOG_WINDOW` are forgotten (and pruned).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from agent.alerts.tables import RoutingDailySends, RoutingEscalation, RoutingGroupSend
from rules import AlertKey, alert_identity
from rules.routing import DeliveryLog, Notification, RoutingConfig
from rules.routing.dispatch import GroupKey

LOG_WINDOW = timedelta(days=30)


def load_log(*, session: Session, now: datetime) -> DeliveryLog:
    """The log of the last :data:`LOG_WINDOW`, as routing's :class:`DeliveryLog`."""
    since = now - LOG_WINDOW
    log = DeliveryLog()
    for send in session.scalars(select(RoutingGroupSend).where(RoutingGroupSend.sent_at >= since)):
        log.last_sent[group_from_json(send.group_key)] = (
            send.sent_at,
            frozenset(_alert_key(key) for key in send.alert_keys),
        )
    for escalation in session.scalars(select(RoutingEscalation).where(RoutingEscalation.at >= since)):
        log.escalated.add((_parse_identity(escalation.alert_identity), escalation.recipient))
    daily = select(RoutingDailySends).where(RoutingDailySends.day >= since.date() - timedelta(days=1))
    for count in session.scalars(daily):
        log.sent_per_day[(count.person, count.day.isoformat())] = count.count
    return log


def remember(
    *, session: Session, config: RoutingConfig, notifications: Iterable[Notification], now: datetime
) -> None:
    """Record notifications handed to delivery (deferred ones too, at their send time)."""
    for notification in notifications:
        if notification.reason == "escalation":
            _escalated(session, notification)
            continue
        _group_sent(session, notification)
        recipient = notification.recipient
        if notification.delivery == "now" and recipient.kind == "person" and recipient.person:
            zone = ZoneInfo(config.person(recipient.person).timezone)
            _count_direct(session, recipient.person, notification.send_at.astimezone(zone).date())
    _prune(session, now - LOG_WINDOW)


def _group_sent(session: Session, notification: Notification) -> None:
    group = group_to_json(notification.group)
    digest = hashlib.sha256(json.dumps(group).encode()).hexdigest()
    row = session.scalar(select(RoutingGroupSend).where(RoutingGroupSend.group_hash == digest))
    keys = [list(key) for key in notification.alert_keys]
    if row is None:
        session.add(
            RoutingGroupSend(
                group_hash=digest, group_key=group, sent_at=notification.send_at, alert_keys=keys
            )
        )
    elif row.sent_at <= notification.send_at:
        row.sent_at, row.alert_keys = notification.send_at, keys
    session.flush()


def _escalated(session: Session, notification: Notification) -> None:
    address = notification.recipient.address
    for key in notification.alert_keys:
        identity = alert_identity(key)
        known = select(RoutingEscalation.id).where(
            RoutingEscalation.alert_identity == identity, RoutingEscalation.recipient == address
        )
        if session.scalar(known) is None:
            session.add(
                RoutingEscalation(alert_identity=identity, recipient=address, at=notification.send_at)
            )
    session.flush()


def _count_direct(session: Session, person: str, day: Any) -> None:
    row = session.scalar(
        select(RoutingDailySends).where(RoutingDailySends.person == person, RoutingDailySends.day == day)
    )
    if row is None:
        session.add(RoutingDailySends(person=person, day=day, count=1))
    else:
        row.count += 1
    session.flush()


def _prune(session: Session, before: datetime) -> None:
    session.execute(delete(RoutingGroupSend).where(RoutingGroupSend.sent_at < before))
    session.execute(delete(RoutingEscalation).where(RoutingEscalation.at < before))
    session.execute(
        delete(RoutingDailySends).where(RoutingDailySends.day < before.date() - timedelta(days=1))
    )


def group_to_json(group: GroupKey) -> list[Any]:
    """A group key as JSON: ``[route, receiver, address, [[label, value], ...]]``."""
    route, receiver, address, values = group
    return [route, receiver, address, [list(pair) for pair in values]]


def group_from_json(data: list[Any]) -> GroupKey:
    """The group key stored by :func:`group_to_json`."""
    route, receiver, address, values = data
    return (route, receiver, address, tuple((str(n), str(v)) for n, v in values))


def _alert_key(data: list[Any]) -> AlertKey:
    rule, account, invoice = data
    return (rule, account, invoice)


def _parse_identity(identity: str) -> AlertKey:
    rule, account, invoice = identity.rsplit("|", 2)
    return (rule, account, invoice or None)
