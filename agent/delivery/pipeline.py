"""One claimed message through the stages: mute -> dedup -> render -> send -> record.

Each step that must survive a crash commits on its own: the decision to send (state
``sending``, the rendered content, the attempt) before the vendor call, the vendor's id
right after it. A message found ``sending`` (its worker died mid-call) is sent again as
it was, with the same key, so the vendor can recognise it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.alerts.tables import Alert as AlertRow
from agent.alerts.tables import OutboxMessage
from agent.db.database import Database
from agent.delivery import record
from agent.delivery.compose import Composer, recipient_kind, reminder_note, row_alert_ids
from agent.delivery.dedup import already_sent
from agent.delivery.mute import Muting
from agent.delivery.refresh import UPDATE_KIND, newest_event
from agent.delivery.send import render, send
from agent.delivery.tables import Delivery
from connectors.core.protocols import DeliveryError, Notifier, OutgoingMessage, Rendered

Ready = tuple[OutgoingMessage, Rendered, Notifier]


@dataclass(frozen=True)
class Pipeline:
    """What the stages need: where to write, who sends, how to mute and compose."""

    database: Database
    worker: str
    notifiers: Mapping[str, Notifier]
    muting: Muting
    composer: Callable[[Session], Composer]
    max_attempts: int
    now: datetime

    def handle(self, delivery_id: int) -> str:
        """Take one message through every stage; returns the state it ended in for this run."""
        with self.database.transaction() as session:
            ready = self._prepare(session, delivery_id)
        if isinstance(ready, str):
            return ready
        message, rendered, notifier = ready
        try:
            vendor_ref = send(notifier, message, rendered)
        except DeliveryError as error:
            with self.database.transaction() as session:
                delivery, rows = _load(session, delivery_id)
                return self._failed(delivery, rows, error)
        with self.database.transaction() as session:
            delivery, rows = _load(session, delivery_id)
            record.sent(delivery, rows, vendor_ref, now=self.now)
        return "sent"

    def _prepare(self, session: Session, delivery_id: int) -> Ready | str:
        delivery, rows = _load(session, delivery_id, lock=True)
        if delivery.claimed_by != self.worker:
            return "skipped"  # our lease was taken over: the new holder sends it
        if already_sent(session=session, key=delivery.key):
            return "sent_before"
        notifier = self.notifiers.get(delivery.channel)
        if notifier is None:
            record.undeliverable(
                delivery, rows, f"no notifier is configured for the {delivery.channel} channel"
            )
            return "undeliverable"
        if delivery.state == "sending" and delivery.attempts >= self.max_attempts:
            why = f"its worker stopped during attempt {delivery.attempts}"
            return self._failed(delivery, rows, DeliveryError(why, retryable=False))
        if delivery.state == "sending":
            message = self.composer(session).compose(delivery, _live(rows), delivery.alert_ids)
            return self._sending(session, delivery, message, _stored(delivery), notifier)
        if delivery.kind == UPDATE_KIND:  # an edit shows the current state: nothing to mute
            return self._render(session, delivery, rows, set(delivery.alert_ids), notifier)
        return self._mute_and_render(session, delivery, rows, notifier)

    def _mute_and_render(
        self, session: Session, delivery: Delivery, rows: Sequence[OutboxMessage], notifier: Notifier
    ) -> Ready | str:
        ids = {row.id: row_alert_ids(row) for row in rows}
        alerts = session.scalars(
            select(AlertRow).where(AlertRow.id.in_({i for v in ids.values() for i in v}))
        )
        person = delivery.recipient if rows and recipient_kind(rows[0]) == "person" else None
        decision = self.muting.decide(list(alerts), person=person)
        if decision.wait_until is not None:
            record.deferred(delivery, decision.wait_until)
            return "deferred"
        record.mute_rows(rows, decision.muted, ids)
        if not decision.kept and not any(reminder_note(row) for row in rows):
            record.muted(delivery, decision.reason or "its alerts no longer exist", decision.silence_ids)
            return "muted"
        return self._render(session, delivery, rows, decision.kept, notifier)

    def _render(
        self,
        session: Session,
        delivery: Delivery,
        rows: Sequence[OutboxMessage],
        alert_ids: Collection[int],
        notifier: Notifier,
    ) -> Ready | str:
        message = self.composer(session).compose(delivery, _live(rows), alert_ids)
        delivery.alert_ids = sorted(
            {line.alert_id for section in message.sections for line in section.alerts}
        )
        try:
            rendered = render(notifier, message)
        except DeliveryError as error:
            delivery.attempts += 1
            return self._failed(delivery, rows, error)
        return self._sending(session, delivery, message, rendered, notifier)

    def _failed(self, delivery: Delivery, rows: Sequence[OutboxMessage], error: DeliveryError) -> str:
        return record.failed_attempt(delivery, rows, error, now=self.now, max_attempts=self.max_attempts)

    def _sending(
        self,
        session: Session,
        delivery: Delivery,
        message: OutgoingMessage,
        rendered: Rendered,
        notifier: Notifier,
    ) -> Ready:
        delivery.recipient_name = message.recipient.name
        if delivery.group_key is not None:  # what the sent content reflects, to spot later changes
            delivery.seen_event_id = newest_event(session, delivery.alert_ids)
        record.sending(delivery, rendered, now=self.now)
        return message, rendered, notifier


def _load(session: Session, delivery_id: int, *, lock: bool = False) -> tuple[Delivery, list[OutboxMessage]]:
    query = select(Delivery).where(Delivery.id == delivery_id)
    delivery = session.scalars(query.with_for_update() if lock else query).one()
    rows = session.scalars(
        select(OutboxMessage).where(OutboxMessage.delivery_id == delivery_id).order_by(OutboxMessage.id)
    )
    return delivery, list(rows)


def _live(rows: Sequence[OutboxMessage]) -> list[OutboxMessage]:
    return [row for row in rows if row.status == "batched"]


def _stored(delivery: Delivery) -> Rendered:
    return Rendered(
        text=delivery.text or "", subject=delivery.subject, html=delivery.html, body=delivery.body
    )
