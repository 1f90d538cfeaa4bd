"""Webhook deliveries remembered in the database, so a replay is refused by every replica.

A delivery is kept a day, longer than any signature tolerance: a replay older than the
tolerance is already refused by its timestamp. The unique key makes two processes that
receive the same replay at once agree on which of them saw it first.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from agent.db.database import Database
from agent.sync.tables import WebhookDelivery

KEPT_FOR = timedelta(days=1)


def first_delivery(*, database: Database, route: str, delivery: str, now: datetime) -> bool:
    """Remember ``delivery`` on ``route``; False if it was already received."""
    digest = hashlib.sha256(delivery.encode("utf-8")).hexdigest()
    with database.transaction() as session:
        session.execute(delete(WebhookDelivery).where(WebhookDelivery.received_at < now - KEPT_FOR))
    try:
        with database.transaction() as session:
            session.add(WebhookDelivery(route=route, delivery_hash=digest, received_at=now))
    except IntegrityError:
        return False
    return True
