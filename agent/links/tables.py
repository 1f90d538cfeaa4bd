"""Action links already used: a link works once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from agent.db.base import Base
from agent.db.types import UTCDateTime


class UsedActionLink(Base):
    """One used link, by its nonce (the primary key makes a second use fail, even concurrently)."""

    __tablename__ = "used_action_links"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(320))
    used_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Past this, the signature check refuses the link anyway: the row may then be deleted.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
