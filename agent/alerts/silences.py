"""Silences as data: create, list, end, and the active ones as routing muters (the caller commits)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.alerts.channels import channel_for, why_unreachable
from agent.alerts.outbox import reachable_people
from agent.alerts.tables import OutboxMessage, SilenceRow
from agent.audit.service import record
from rules.routing import Silence

REMINDER_WINDOW = timedelta(days=1)


def to_silence(row: SilenceRow) -> Silence:
    """The routing view of a stored silence."""
    return Silence.create(
        row.matchers,
        creator=row.creator,
        reason=row.reason,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        id=str(row.id),
    )


def create_silence(
    *,
    session: Session,
    matchers: list[str],
    creator: str,
    reason: str,
    starts_at: datetime,
    ends_at: datetime,
) -> SilenceRow:
    """Validate (``ValueError`` says what is wrong) and store a silence."""
    Silence.create(matchers, creator=creator, reason=reason, starts_at=starts_at, ends_at=ends_at)
    row = SilenceRow(
        matchers=list(matchers), creator=creator, reason=reason, starts_at=starts_at, ends_at=ends_at
    )
    session.add(row)
    session.flush()
    detail = {"matchers": matchers, "reason": reason, "ends_at": ends_at.isoformat()}
    record(
        session=session,
        actor=creator,
        action="silence.create",
        entity_type="silence",
        entity_id=row.id,
        detail=detail,
    )
    return row


def list_silences(*, session: Session, now: datetime, include_expired: bool = False) -> list[SilenceRow]:
    """Silences not deleted, the active and future ones unless ``include_expired``."""
    query = select(SilenceRow).where(SilenceRow.deleted_at.is_(None)).order_by(SilenceRow.ends_at)
    if not include_expired:
        query = query.where(SilenceRow.ends_at > now)
    return list(session.scalars(query))


def delete_silence(*, session: Session, silence_id: int, actor: str, now: datetime) -> SilenceRow | None:
    """End a silence now (kept for the record); None if there is no such silence."""
    row = session.get(SilenceRow, silence_id)
    if row is None or row.deleted_at is not None:
        return None
    row.deleted_at = now
    record(session=session, actor=actor, action="silence.delete", entity_type="silence", entity_id=row.id)
    return row


def active_muters(*, session: Session, now: datetime) -> list[Silence]:
    """The silences in force at ``now``."""
    return [
        silence for silence in map(to_silence, list_silences(session=session, now=now)) if silence.active(now)
    ]


def expiry_reminders(
    *, session: Session, now: datetime, served: Collection[str], window: timedelta = REMINDER_WINDOW
) -> list[OutboxMessage]:
    """Outbox rows telling each creator that their silence ends within ``window`` (once per end time)."""
    rows = [
        row for row in list_silences(session=session, now=now) if to_silence(row).expires_within(now, window)
    ]
    keys = {row.id: f"silence-expiring:{row.id}:{row.ends_at.isoformat()}" for row in rows}
    known = set(
        session.scalars(select(OutboxMessage.dedup_key).where(OutboxMessage.dedup_key.in_(keys.values())))
    )
    people = reachable_people(session=session)
    reminders = [
        _reminder(row, keys[row.id], now, channel_for("person", people.get(row.creator), served), served)
        for row in rows
        if keys[row.id] not in known
    ]
    session.add_all(reminders)
    return reminders


def _reminder(
    row: SilenceRow, key: str, now: datetime, channel: str, served: Collection[str]
) -> OutboxMessage:
    unreachable = why_unreachable("person", row.creator, channel, served)
    return OutboxMessage(
        dedup_key=key,
        receiver=row.creator,
        channel=channel,
        payload={
            "kind": "silence_expiring",
            "silence_id": row.id,
            "matchers": row.matchers,
            "reason": row.reason,
            "ends_at": row.ends_at.isoformat(),
        },
        status="undeliverable" if unreachable else "pending",
        last_error=unreachable,
        next_attempt_at=now,
    )
