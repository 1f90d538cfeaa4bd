"""Due notifications on the demo book, and helpers to deliver them and read what happened."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from agent.alerts.evaluate import evaluate_alerts
from agent.alerts.tables import OutboxMessage
from agent.db.database import Database
from agent.db.types import utcnow
from agent.delivery.run import DeliveryReport, deliver_due
from agent.delivery.tables import Delivery
from agent.profile.tables import Person
from agent.settings import Settings
from tests.agent.alerts.factories import CYCLE_START, load_book, run_cycle

# By then every person's morning digest (8:00 in New York ... Los Angeles) is due, and
# it is not night anywhere the demo team lives.
ALL_DUE = CYCLE_START + timedelta(days=1, hours=8)


def due_notifications(session: Session, settings: Settings) -> list[OutboxMessage]:
    """The demo book after two evaluations an hour apart: the second enqueues notifications."""
    load_book(session)
    run_cycle(session, settings)
    run_cycle(session, settings, after=timedelta(hours=1))
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def midday_zone(now: datetime) -> str:
    """A fixed-offset zone where it is about noon at ``now`` (no quiet hours for a while)."""
    offset = 12 - now.hour
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def due_by_the_wall_clock(session: Session, settings: Settings) -> None:
    """The demo book evaluated three days ago, its team where it is midday now: for commands
    that deliver at the real time."""
    load_book(session)
    session.execute(update(Person).values(time_zone=midday_zone(utcnow())))
    start = utcnow() - timedelta(days=3)
    for at in (start, start + timedelta(hours=1)):
        evaluate_alerts(session=session, settings=settings, now=at)
        session.commit()


def deliver(database: Database, settings: Settings, at: datetime = ALL_DUE) -> DeliveryReport:
    """One drain of the outbox at ``at`` with the configured notifiers."""
    return deliver_due(database=database, settings=settings, clock=lambda: at)


def deliveries(session: Session) -> list[Delivery]:
    session.expire_all()
    return list(session.scalars(select(Delivery).order_by(Delivery.id)))


def states(session: Session) -> Counter[str]:
    return Counter(delivery.state for delivery in deliveries(session))
