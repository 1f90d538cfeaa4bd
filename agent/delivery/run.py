"""Draining the outbox once: batch due rows, lease due messages, run each through the stages.

:func:`deliver_due` is what ``nudge deliver``, the cycle's ``deliver`` step and the
scheduler's ``deliver`` job call. It loops until nothing is due, so a message retried
later (backoff, quiet hours) does not hold up the others.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy.orm import Session

from agent.alerts.routing import load_product_routing
from agent.db.database import Database
from agent.db.types import utcnow
from agent.delivery.claim import batch_due_rows, claim_messages
from agent.delivery.compose import Composer
from agent.delivery.links import LinkProvider, default_links
from agent.delivery.mute import Muting
from agent.delivery.pipeline import Pipeline
from agent.delivery.refresh import enqueue_updates
from agent.delivery.tables import Delivery
from agent.delivery.workers import Worker, working
from agent.settings import Settings
from connectors.core.protocols import Notifier, per_account
from connectors.core.registry import notifiers as configured_notifiers

CLAIM_BATCH = 50
OUTCOMES = ("sent", "failed", "retrying", "muted", "undeliverable", "deferred")


@dataclass
class DeliveryReport:
    """What one drain did, per channel: sent, failed, retrying, muted, undeliverable, deferred."""

    status: Literal["ok", "failed", "skipped_locked"] = "ok"
    channels: dict[str, Counter[str]] = field(default_factory=dict)

    def count(self, channel: str, outcome: str) -> None:
        if outcome in OUTCOMES:
            self.channels.setdefault(channel, Counter())[outcome] += 1

    @property
    def totals(self) -> dict[str, int]:
        return {outcome: sum(c[outcome] for c in self.channels.values()) for outcome in OUTCOMES}

    @property
    def error(self) -> str | None:
        """Set when a message failed for good in this drain (the job and the CLI report it)."""
        failed = self.totals["failed"]
        return f"{failed} message(s) failed" if failed else None

    def summary(self) -> str:
        return ", ".join(f"{outcome} {n}" for outcome, n in self.totals.items() if n) or "nothing due"

    def to_dict(self) -> dict[str, Any]:
        """The ``nudge deliver --json`` object."""
        return {
            "status": "failed" if self.error else self.status,
            "totals": self.totals,
            "channels": {
                name: {o: counts[o] for o in OUTCOMES} for name, counts in sorted(self.channels.items())
            },
        }


def deliver_due(
    *,
    database: Database,
    settings: Settings,
    notifiers: Mapping[str, Notifier] | None = None,
    links: LinkProvider | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> DeliveryReport:
    """Send every message due at ``clock()``; the configured notifiers and links by default."""
    served = configured_notifiers() if notifiers is None else notifiers
    with working(database) as worker:
        if worker is None:
            return DeliveryReport(status="skipped_locked")
        report = DeliveryReport()
        while _drain_batch(worker, settings, served, links or default_links(settings), clock(), report):
            pass
        return report


def _drain_batch(
    worker: Worker,
    settings: Settings,
    served: Mapping[str, Notifier],
    links: LinkProvider,
    now: datetime,
    report: DeliveryReport,
) -> bool:
    database = worker.database
    grouped = {channel for channel, notifier in served.items() if per_account(notifier)}
    with database.transaction() as session:
        for made in batch_due_rows(session=session, now=now, per_account=grouped):
            report.count(made.channel, made.state)
        if grouped:
            enqueue_updates(session=session, now=now)
        claimed = claim_messages(
            session=session,
            worker=worker.name,
            now=now,
            lease=timedelta(seconds=settings.delivery_lease_seconds),
            gone=worker.gone,
            limit=CLAIM_BATCH,
        )
        work = [(delivery.id, delivery.channel) for delivery in interleaved(claimed)]
        if not work:
            return False
        muting = Muting.load(session=session, config=load_product_routing(session=session), now=now)
    pipeline = Pipeline(
        database=database,
        worker=worker.name,
        notifiers=served,
        muting=muting,
        composer=_composer(settings, links),
        max_attempts=settings.delivery_max_attempts,
        now=now,
    )
    for delivery_id, channel in work:
        report.count(channel, pipeline.handle(delivery_id))
    return True


def interleaved(claimed: Sequence[Delivery]) -> list[Delivery]:
    """Round-robin over recipients, so a vendor's per-conversation pace for one recipient
    does not hold up the others (each recipient's own messages keep their order)."""
    queues: dict[tuple[str, str], list[Delivery]] = {}
    for delivery in claimed:
        queues.setdefault((delivery.channel, delivery.recipient), []).append(delivery)
    ordered: list[Delivery] = []
    for turn in range(max((len(q) for q in queues.values()), default=0)):
        ordered.extend(queue[turn] for queue in queues.values() if turn < len(queue))
    return ordered


def _composer(settings: Settings, links: LinkProvider) -> Callable[[Session], Composer]:
    def make(session: Session) -> Composer:
        return Composer(session=session, base_url=settings.base_url, links=links, today=settings.today())

    return make
