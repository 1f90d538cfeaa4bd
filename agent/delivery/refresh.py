"""Edit, don't repost: an account group's message is re-rendered when its alerts change.

On channels whose notifier edits (``per_account``), each sent message remembers the
newest alert event its content reflects (``seen_event_id``). Any later event on one of
its alerts, from any channel (a Slack button, the web app, an e-mail link, the cycle
resolving a paid invoice), makes it stale: an ``update`` message is queued for the same
(channel, recipient, group), which the pipeline composes with the current state and the
group's last vendor id as ``previous_ref``, so the notifier edits the message in place.

A message that routing sends for new alerts of a group edits it too (its alerts join the
group's); a first notification, a repeat or an escalation is a new message, so it pings.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from agent.alerts.tables import AlertEvent, OutboxMessage
from agent.delivery.tables import Delivery

UPDATE_KIND = "update"
# Messages older than this are left as they are: nobody scrolls back that far.
EDIT_WINDOW = timedelta(days=30)
# Routing reasons whose message edits the group's last one rather than posting anew.
EDITING_REASONS = frozenset({"new_alerts"})


def newest_event(session: Session, alert_ids: Collection[int]) -> int | None:
    """The id of the newest event of these alerts."""
    if not alert_ids:
        return None
    return session.scalar(select(func.max(AlertEvent.id)).where(AlertEvent.alert_id.in_(list(alert_ids))))


def last_sent(session: Session, delivery: Delivery) -> Delivery | None:
    """The group's last message that reached the vendor, before ``delivery``."""
    if delivery.group_key is None:
        return None
    return session.scalar(
        select(Delivery)
        .where(
            Delivery.channel == delivery.channel,
            Delivery.recipient == delivery.recipient,
            Delivery.group_key == delivery.group_key,
            Delivery.vendor_ref.is_not(None),
            Delivery.id < delivery.id,
        )
        .order_by(Delivery.id.desc())
        .limit(1)
    )


def edits_previous(delivery: Delivery, rows: Sequence[OutboxMessage]) -> bool:
    """Whether ``delivery`` replaces its group's last message (an update, or new alerts only)."""
    if delivery.group_key is None:
        return False
    if delivery.kind == UPDATE_KIND:
        return True
    return bool(rows) and all(row.payload.get("reason") in EDITING_REASONS for row in rows)


def enqueue_updates(*, session: Session, now: datetime) -> list[Delivery]:
    """Queue an ``update`` for every group whose last message is sent and no longer current."""
    latest_ids = (
        select(func.max(Delivery.id))
        .where(Delivery.group_key.is_not(None))
        .group_by(Delivery.channel, Delivery.recipient, Delivery.group_key)
    )
    latest = session.scalars(
        select(Delivery).where(
            Delivery.id.in_(latest_ids),
            Delivery.state == "sent",
            Delivery.vendor_ref.is_not(None),
            Delivery.sent_at >= now - EDIT_WINDOW,
        )
    ).all()
    if not latest:
        return []
    floor = min(delivery.seen_event_id or 0 for delivery in latest)
    newest = dict(
        session.execute(
            select(AlertEvent.alert_id, func.max(AlertEvent.id))
            .where(AlertEvent.id > floor)
            .group_by(AlertEvent.alert_id)
        )
        .tuples()
        .all()
    )
    made = []
    for delivery in latest:
        changed = max((newest.get(alert_id, 0) for alert_id in delivery.alert_ids), default=0)
        if changed > (delivery.seen_event_id or 0) and (update := _queue(session, delivery, changed, now)):
            made.append(update)
    return made


def _queue(session: Session, stale: Delivery, event_id: int, now: datetime) -> Delivery | None:
    """One update of ``stale`` up to ``event_id``; None when another worker queued it first."""
    key = hashlib.sha256(f"{UPDATE_KIND}\n{stale.id}\n{event_id}".encode()).hexdigest()
    update = Delivery(
        key=key,
        channel=stale.channel,
        recipient=stale.recipient,
        recipient_name=stale.recipient_name,
        kind=UPDATE_KIND,
        group_key=stale.group_key,
        state="queued",
        next_attempt_at=now,
        alert_ids=list(stale.alert_ids),
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(update)
    except IntegrityError:
        return None
    return update
