"""Stage 5, record: every state change of a message and its outbox rows (the caller commits).

``sending`` is committed with the rendered content before the vendor call, ``sent`` with
the vendor's id right after, so a crash in between leaves a ``sending`` message that is
retried with the same key.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from agent.alerts.tables import OutboxMessage
from agent.delivery.retry import backoff
from agent.delivery.tables import Delivery
from connectors.core.protocols import DeliveryError, Rendered


def sending(delivery: Delivery, rendered: Rendered, *, now: datetime) -> None:
    """About to call the vendor: store what goes out, count the attempt."""
    delivery.state = "sending"
    delivery.attempts += 1
    delivery.claimed_at = now
    delivery.subject, delivery.text, delivery.html, delivery.body = (
        rendered.subject,
        rendered.text,
        rendered.html,
        rendered.body,
    )


def sent(delivery: Delivery, rows: Sequence[OutboxMessage], vendor_ref: str, *, now: datetime) -> None:
    """The vendor has it: its id is kept on the message and its rows."""
    delivery.state, delivery.vendor_ref, delivery.sent_at, delivery.last_error = "sent", vendor_ref, now, None
    _release(delivery)
    for row in rows:
        if row.status == "batched":
            row.status, row.sent_at, row.external_ref = "sent", now, vendor_ref


def failed_attempt(
    delivery: Delivery,
    rows: Sequence[OutboxMessage],
    error: DeliveryError,
    *,
    now: datetime,
    max_attempts: int,
) -> str:
    """``retrying`` after a backoff, or ``failed`` when the error is final or attempts ran out."""
    delivery.last_error = str(error)
    _release(delivery)
    if error.retryable and delivery.attempts < max_attempts:
        delivery.state = "retrying"
        delivery.next_attempt_at = now + backoff(delivery.attempts, error.retry_after)
    else:
        delivery.state = "failed"
        for row in rows:
            if row.status == "batched":
                row.status, row.last_error = "failed", str(error)
    for row in rows:
        row.attempts = delivery.attempts
    return delivery.state


def muted(delivery: Delivery, reason: str, silence_ids: set[int]) -> None:
    """Nothing left to say: every alert was silenced, inhibited or is no longer firing."""
    delivery.state, delivery.last_error = "muted", reason
    delivery.silence_ids = sorted(silence_ids)
    _release(delivery)


def mute_rows(
    rows: Sequence[OutboxMessage], muted_alerts: dict[int, str], alert_ids: dict[int, list[int]]
) -> None:
    """Rows whose every alert was muted become ``muted`` with the reason."""
    for row in rows:
        ids = alert_ids[row.id]
        if ids and all(alert_id in muted_alerts for alert_id in ids):
            row.status = "muted"
            row.last_error = "; ".join(dict.fromkeys(muted_alerts[alert_id] for alert_id in ids))


def undeliverable(delivery: Delivery, rows: Sequence[OutboxMessage], reason: str) -> None:
    """No way to reach the recipient on this channel."""
    delivery.state, delivery.last_error = "undeliverable", reason
    _release(delivery)
    for row in rows:
        row.status, row.last_error = "undeliverable", reason


def deferred(delivery: Delivery, until: datetime) -> None:
    """The recipient is in their quiet hours: try again when they end."""
    delivery.next_attempt_at = until
    _release(delivery)


def _release(delivery: Delivery) -> None:
    delivery.claimed_by, delivery.claimed_at = None, None
