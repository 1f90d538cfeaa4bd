"""Stage 2, dedup: a message key already sent is not sent again."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.delivery.tables import Delivery


def already_sent(*, session: Session, key: str) -> bool:
    """Whether a message with ``key`` went out (another worker may have finished it)."""
    return (
        session.scalar(select(Delivery.id).where(Delivery.key == key, Delivery.state == "sent")) is not None
    )
