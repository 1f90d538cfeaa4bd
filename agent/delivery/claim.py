"""Claiming work: due outbox rows are batched into messages, due messages are leased to a worker.

All due rows for the same (channel, recipient) become ONE message (a digest grouped per
account); on a channel whose notifier edits its messages (``per_account``), one message per
(channel, recipient, account), so each account group can be edited in place later. A
worker leases the messages it will handle (``claimed_by`` / ``claimed_at``);
rows and messages are selected ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so concurrent
workers never take the same one. A lease is taken over when it is older than the lease
time or when its worker is gone (see :mod:`agent.delivery.workers`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from itertools import groupby

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from agent.alerts.tables import OutboxMessage
from agent.delivery.compose import row_alert_ids
from agent.delivery.tables import OPEN_STATES, Delivery


def batch_due_rows(*, session: Session, now: datetime, per_account: Collection[str] = ()) -> list[Delivery]:
    """Turn due pending rows into queued messages, and undeliverable rows into visible ones;
    rows on the ``per_account`` channels are batched per account group."""
    due = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.channel, OutboxMessage.receiver, OutboxMessage.id)
        .with_for_update(skip_locked=True)
    ).all()
    stuck = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == "undeliverable", OutboxMessage.delivery_id.is_(None))
        .order_by(OutboxMessage.channel, OutboxMessage.receiver, OutboxMessage.id)
        .with_for_update(skip_locked=True)
    ).all()

    def destination(row: OutboxMessage) -> tuple[str, str, str | None]:
        return (row.channel, row.receiver, message_group(row) if row.channel in per_account else None)

    groups = [
        (key, list(rows))
        for key, rows in groupby(
            sorted(due, key=lambda r: (*_sortable(destination(r)), r.id)), key=destination
        )
    ]
    made = [_message(session, rows, now, "queued", key[2]) for key, rows in round_robin(groups)]
    made += [
        _message(session, list(rows), now, "undeliverable")
        for _, rows in groupby(stuck, key=lambda r: (*_destination(r), r.last_error))
    ]
    session.flush()
    return made


Group = tuple[tuple[str, str, str | None], list[OutboxMessage]]


def round_robin(groups: list[Group]) -> list[Group]:
    """Messages in turns over recipients (their first messages, then their second ones...),
    so the ids workers claim in order spread over recipients: a vendor's per-conversation
    pace for one recipient does not hold up the others."""
    turn: dict[tuple[str, str], int] = {}
    numbered = []
    for key, rows in groups:
        position = turn[key[:2]] = turn.get(key[:2], -1) + 1
        numbered.append((position, key, rows))
    return [(key, rows) for _, key, rows in sorted(numbered, key=lambda item: item[0])]


def _destination(row: OutboxMessage) -> tuple[str, str]:
    return (row.channel, row.receiver)


def _sortable(key: tuple[str, str, str | None]) -> tuple[str, str, str]:
    return (key[0], key[1], key[2] or "")


def message_group(row: OutboxMessage) -> str | None:
    """The group of a row on a per-account channel: the recipient's digest of the day for
    rows held for the morning digest (one message listing its accounts), else its account."""
    if row.payload.get("delivery") == "digest" or _held_for_digest(row):
        return f"digest:{row.next_attempt_at.date().isoformat()}"
    return account_group(row)


def account_group(row: OutboxMessage) -> str | None:
    """``account:<id>`` when every alert of the row is about one account (routing's default
    ``group_by: [account]``); None for a row spanning accounts."""
    accounts = {alert.get("account_id") for alert in row.payload.get("alerts", [])}
    return f"account:{accounts.pop()}" if len(accounts) == 1 and None not in accounts else None


def _message(
    session: Session, rows: list[OutboxMessage], now: datetime, state: str, group: str | None = None
) -> Delivery:
    basis = "\n".join([rows[0].channel, rows[0].receiver, *sorted(row.dedup_key for row in rows)])
    delivery = Delivery(
        key=hashlib.sha256(basis.encode()).hexdigest(),
        channel=rows[0].channel,
        recipient=rows[0].receiver,
        kind=message_kind(rows),
        group_key=group,
        state=state,
        next_attempt_at=now,
        last_error=rows[0].last_error if state == "undeliverable" else None,
        alert_ids=sorted({alert_id for row in rows for alert_id in row_alert_ids(row)}),
        created_at=now,
    )
    session.add(delivery)
    session.flush()
    for row in rows:
        row.delivery_id = delivery.id
        if state == "queued":
            row.status = "batched"
    return delivery


def message_kind(rows: list[OutboxMessage]) -> str:
    """escalation when every row escalates, reminder when every row is a silence reminder,
    alerts for one notification sent as planned, digest otherwise."""
    reasons = {row.payload.get("reason") for row in rows}
    kinds = {row.payload.get("kind") for row in rows}
    if kinds == {"silence_expiring"}:
        return "reminder"
    if reasons == {"escalation"}:
        return "escalation"
    held = any(row.payload.get("delivery") == "digest" or _held_for_digest(row) for row in rows)
    return "digest" if len(rows) > 1 or held else "alerts"


def _held_for_digest(row: OutboxMessage) -> bool:
    planned = row.payload.get("send_at")
    return planned is not None and datetime.fromisoformat(planned) != row.next_attempt_at


def claim_messages(
    *,
    session: Session,
    worker: str,
    now: datetime,
    lease: timedelta,
    gone: Callable[[Collection[str]], set[str]],
    limit: int,
) -> list[Delivery]:
    """Lease up to ``limit`` due messages to ``worker``; ``gone`` says which claimers are dead."""
    claimers: set[str] = set(
        session.scalars(
            select(Delivery.claimed_by)
            .where(
                Delivery.state.in_(OPEN_STATES),
                Delivery.claimed_by.is_not(None),
                Delivery.claimed_by != worker,
            )
            .distinct()
        )
    )
    dead = gone(claimers)
    free = or_(
        Delivery.claimed_by.is_(None),
        Delivery.claimed_by == worker,
        Delivery.claimed_at < now - lease,
        Delivery.claimed_by.in_(dead),
    )
    claimed = session.scalars(
        select(Delivery)
        .where(Delivery.state.in_(OPEN_STATES), Delivery.next_attempt_at <= now, free)
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for delivery in claimed:
        delivery.claimed_by, delivery.claimed_at = worker, now
    return list(claimed)
