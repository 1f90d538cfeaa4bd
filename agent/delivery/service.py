"""Reading deliveries for the API and the Deliveries page, scoped by the caller's role."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent.alerts.tables import OutboxMessage
from agent.auth.service import Principal
from agent.delivery.tables import Delivery

# Who sees every message; everyone else sees the messages addressed to them.
ALL_DELIVERIES_ROLES = frozenset({"admin", "ops"})


@dataclass(frozen=True)
class DeliveryListing:
    """A message with the alerts its outbox rows carry."""

    delivery: Delivery
    alerts: list[dict[str, Any]]


@dataclass(frozen=True)
class DeliveryPage:
    """One page of messages, newest first, and how many match in all."""

    items: list[DeliveryListing]
    total: int


def list_deliveries(
    *,
    session: Session,
    principal: Principal,
    channel: str | None = None,
    state: str | None = None,
    recipient: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> DeliveryPage:
    """Messages the caller may see, filtered, newest first."""
    query = select(Delivery)
    if principal.role not in ALL_DELIVERIES_ROLES:
        query = query.where(Delivery.recipient == principal.email)
    for column, value in (
        (Delivery.channel, channel),
        (Delivery.state, state),
        (Delivery.recipient, recipient),
    ):
        if value:
            query = query.where(column == value)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    found = session.scalars(query.order_by(Delivery.id.desc()).limit(limit).offset(offset)).all()
    return DeliveryPage(items=_with_alerts(session, found), total=total)


def counts_by_channel(*, session: Session, principal: Principal) -> dict[str, dict[str, int]]:
    """How many messages each channel has in each state (what the caller may see)."""
    query = select(Delivery.channel, Delivery.state, func.count()).group_by(Delivery.channel, Delivery.state)
    if principal.role not in ALL_DELIVERIES_ROLES:
        query = query.where(Delivery.recipient == principal.email)
    counts: dict[str, dict[str, int]] = {}
    for channel, state, count in session.execute(query).tuples():
        counts.setdefault(channel, {})[state] = count
    return dict(sorted(counts.items()))


class DeliveryNotFoundError(LookupError):
    """No such message among those the caller may see."""


def get_delivery(*, session: Session, principal: Principal, delivery_id: int) -> DeliveryListing:
    """One message the caller may see, with its alerts; :class:`DeliveryNotFoundError` otherwise."""
    query = select(Delivery).where(Delivery.id == delivery_id)
    if principal.role not in ALL_DELIVERIES_ROLES:
        query = query.where(Delivery.recipient == principal.email)
    found = session.scalars(query).first()
    if found is None:
        raise DeliveryNotFoundError(f"no message {delivery_id}")
    return _with_alerts(session, [found])[0]


def _with_alerts(session: Session, found: Sequence[Delivery]) -> list[DeliveryListing]:
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.delivery_id.in_([d.id for d in found]))
        .order_by(OutboxMessage.id)
    )
    alerts: dict[int, dict[int, dict[str, Any]]] = {}
    for row in rows:
        carried = alerts.setdefault(row.delivery_id or 0, {})
        for alert in row.payload.get("alerts", []):
            carried.setdefault(int(alert["id"]), {**alert, "outbox_status": row.status})
    return [DeliveryListing(d, list(alerts.get(d.id, {}).values())) for d in found]
