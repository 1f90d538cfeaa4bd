"""The cycle's rules step: evaluate the running rule set on the book and update the alerts.

:func:`evaluate_alerts` reads the ledger and side data from the database, evaluates the
active rule set as of the book date, persists opened / reopened / resumed / updated /
resolved alerts with their events (actor ``nudge``), enqueues the notifications that
routing says are due, and reminds creators of silences that end within a day. The
caller commits (one transaction per cycle step).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.alerts.convert import event_row, key_of, new_row, to_alert, write
from agent.alerts.frames import load_side_frames
from agent.alerts.outbox import enqueue
from agent.alerts.routing import load_product_routing
from agent.alerts.silences import active_muters, expiry_reminders
from agent.alerts.tables import Alert as AlertRow
from agent.ledger.store import load_ledger
from agent.risk.provider import stored_risk_provider
from agent.rulesets.service import seed_from_pack
from agent.settings import Settings
from connectors.core.registry import notifiers
from rules import (
    AlertKey,
    ContextBuilder,
    Reconciliation,
    RiskProvider,
    load_rule_texts,
    run_rules,
)
from rules.routing import RoutingConfig


@dataclass(frozen=True)
class EvaluationCounts:
    """What one evaluation changed."""

    rules_version: int
    opened: int
    reopened: int
    resumed: int
    updated: int
    resolved: int
    enqueued: int
    reminders: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def evaluate_alerts(
    *,
    session: Session,
    settings: Settings,
    now: datetime,
    risk_provider: RiskProvider | None = None,
    routing: RoutingConfig | None = None,
    as_of: date | None = None,
    served: Collection[str] | None = None,
) -> EvaluationCounts:
    """Evaluate the active rules as of ``as_of`` (default: the book date), persist alert changes,
    enqueue notifications. Risk defaults to the model's scores stored up to ``as_of``;
    ``served`` (the channels with a notifier) to the configured notifiers' channels."""
    as_of = as_of or settings.today()
    served = set(notifiers()) if served is None else served
    version = seed_from_pack(session=session)
    frames = load_side_frames(session=session)
    builder = ContextBuilder(
        load_ledger(session=session),
        risk=risk_provider or stored_risk_provider(session=session, as_of=as_of),
        promises=frames.promises,
        disputes=frames.disputes,
        signals=frames.signals,
        accounts=frames.accounts,
    )
    rows = {key_of(row): row for row in session.scalars(select(AlertRow))}
    result = run_rules(
        rules=load_rule_texts(version.texts),
        context=builder.at(as_of),
        current={key: to_alert(row) for key, row in rows.items()},
        now=now,
    )
    persist(session=session, rows=rows, result=result, now=now)
    config = routing or load_product_routing(session=session)
    firing = [row for row in rows.values() if row.state == "firing"]
    enqueued = enqueue(
        session=session,
        config=config,
        rows=firing,
        now=now,
        served=served,
        digest_hour=settings.digest_hour,
        muters=active_muters(session=session, now=now),
    )
    return EvaluationCounts(
        rules_version=version.version,
        opened=len(result.opened),
        reopened=len(result.reopened),
        resumed=len(result.resumed),
        updated=len(result.updated),
        resolved=len(result.resolved),
        enqueued=len(enqueued),
        reminders=len(expiry_reminders(session=session, now=now, served=served)),
    )


def persist(
    *, session: Session, rows: dict[AlertKey, AlertRow], result: Reconciliation, now: datetime
) -> None:
    """Write changed alerts (adding new ones to ``rows``) and their events."""
    fired = {alert.key for alert in [*result.opened, *result.reopened, *result.resumed]}
    for alert in result.changed:
        row = rows.get(alert.key)
        if row is None:
            row = rows[alert.key] = new_row(alert)
            session.add(row)
        else:
            write(row, alert)
        if alert.key in fired:
            row.last_fired_at = now
    session.flush()
    session.add_all(event_row(rows[event.key].id, event) for event in result.events)
