"""The one alert-action service every channel calls: each action, each refusal, and the history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent.alerts import service
from agent.alerts.service import ActionRefusedError, AlertNotFoundError
from agent.alerts.tables import Alert, AlertEvent
from agent.audit.tables import AuditEntry
from agent.auth.service import Principal, principal_for
from agent.profile.tables import Account, Dispute, Invoice, PaymentPromise, Person
from tests.agent.alerts.factories import CYCLE_START, make_alert
from tests.factories import make_account, make_invoice, make_person

NOW = CYCLE_START + timedelta(hours=1)  # 2026-11-20 10:00 UTC
TODAY = NOW.date()


@dataclass
class Book:
    """One CSM's account with an overdue invoice, an alert about it and one about the account."""

    owner: Person
    other_csm: Person
    account: Account
    invoice: Invoice
    invoice_alert: Alert
    account_alert: Alert

    def principal(self, session: Session, person: Person | None = None) -> Principal:
        return principal_for(session=session, person=person or self.owner)


@pytest.fixture
def book(session: Session) -> Book:
    owner = make_person(session, "maya.chen@nudge.example")
    other = make_person(session, "leo.park@nudge.example")
    account = make_account(session, "Acme Corp", owner=owner)
    invoice = make_invoice(
        session,
        account,
        "INV-1",
        "2000.00",
        issued=date(2026, 9, 1),
        paid="799.50",
        paid_on=date(2026, 10, 15),
    )
    built = Book(
        owner=owner,
        other_csm=other,
        account=account,
        invoice=invoice,
        invoice_alert=make_alert(session, account, rule="overdue-high-value", invoice=invoice),
        account_alert=make_alert(session, account, rule="dso-worsening", severity="medium"),
    )
    session.commit()
    return built


def history(session: Session, alert: Alert) -> list[tuple[str, str, str | None, str | None]]:
    """(kind, actor, channel, to_state) of each event, oldest first."""
    events = session.scalars(
        select(AlertEvent).where(AlertEvent.alert_id == alert.id).order_by(AlertEvent.id)
    )
    return [(e.kind, e.actor, e.channel, e.to_state) for e in events]


def count(session: Session, table: type[PaymentPromise] | type[Dispute] | type[AuditEntry]) -> int:
    return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_acknowledging_records_who_and_through_which_channel(session: Session, book: Book) -> None:
    row = service.acknowledge(
        session=session,
        principal=book.principal(session),
        alert_id=book.invoice_alert.id,
        channel="email",
        now=NOW,
        note="calling them today",
    )
    session.commit()
    assert row.state == "acknowledged"
    assert history(session, book.invoice_alert) == [
        ("opened", "nudge", None, "firing"),
        ("acknowledge", "maya.chen@nudge.example", "email", "acknowledged"),
    ]
    audit = session.scalars(select(AuditEntry)).one()
    assert (audit.actor, audit.action, audit.entity_type, audit.entity_id) == (
        "maya.chen@nudge.example",
        "alert.acknowledge",
        "alert",
        str(book.invoice_alert.id),
    )
    assert audit.detail == {
        "from": "firing",
        "to": "acknowledged",
        "channel": "email",
        "until": None,
        "reason": "calling them today",
    }


def test_acknowledging_again_changes_nothing_whoever_repeats_it(session: Session, book: Book) -> None:
    first: dict[str, Any] = {"session": session, "alert_id": book.invoice_alert.id, "now": NOW}
    service.acknowledge(**first, principal=book.principal(session), channel="email")
    session.commit()
    ops = make_person(session, "ops@nudge.example", role="ops")
    again = service.acknowledge(
        session=session,
        principal=book.principal(session, ops),
        alert_id=book.invoice_alert.id,
        channel="slack",
        now=NOW + timedelta(minutes=5),
    )
    session.commit()
    assert again.state == "acknowledged"
    assert history(session, book.invoice_alert)[1:] == [
        ("acknowledge", "maya.chen@nudge.example", "email", "acknowledged")
    ]
    assert count(session, AuditEntry) == 1


def test_snoozing_until_a_day_or_for_whole_days(session: Session, book: Book) -> None:
    act: dict[str, Any] = {
        "session": session,
        "principal": book.principal(session),
        "alert_id": book.invoice_alert.id,
    }
    row = service.snooze(**act, channel="web", now=NOW, until=date(2026, 11, 27))
    assert (row.state, row.snoozed_until) == ("snoozed", datetime(2026, 11, 27, tzinfo=UTC))
    row = service.snooze(**act, channel="slack", now=NOW, duration=timedelta(days=3))
    assert row.snoozed_until == datetime(2026, 11, 23, tzinfo=UTC)
    # A retry of the same snooze (an email link, a Slack retry) records nothing new.
    service.snooze(**act, channel="slack", now=NOW + timedelta(hours=2), duration=timedelta(days=3))
    session.commit()
    assert history(session, book.invoice_alert)[1:] == [
        ("snooze", "maya.chen@nudge.example", "web", "snoozed"),
        ("snooze", "maya.chen@nudge.example", "slack", "snoozed"),
    ]
    event = session.scalars(select(AlertEvent).where(AlertEvent.channel == "slack")).one()
    assert event.detail == {"until": "2026-11-23", "reason": None}


@pytest.mark.parametrize(
    ("until", "duration", "message"),
    [
        (
            date(2026, 11, 27),
            timedelta(days=3),
            "give either a day to snooze until or a number of days, not both",
        ),
        (None, None, "give either a day to snooze until or a number of days, not both"),
        (None, timedelta(hours=4), r"a snooze lasts whole days, at least one \(not 4:00:00\)"),
        (None, timedelta(days=1, hours=2), r"a snooze lasts whole days, at least one \(not 1 day, 2:00:00\)"),
        (TODAY, None, "a snooze needs an end date after today"),
        (date(2026, 11, 1), None, "a snooze needs an end date after today"),
    ],
)
def test_a_snooze_needs_one_end_after_today(
    session: Session, book: Book, until: date | None, duration: timedelta | None, message: str
) -> None:
    with pytest.raises(ActionRefusedError, match=f"^{message}$"):
        service.snooze(
            session=session,
            principal=book.principal(session),
            alert_id=book.invoice_alert.id,
            channel="api",
            now=NOW,
            until=until,
            duration=duration,
        )
    session.rollback()
    assert history(session, book.invoice_alert) == [("opened", "nudge", None, "firing")]


def test_a_promise_is_stored_and_snoozes_the_alert_until_its_date(session: Session, book: Book) -> None:
    act: dict[str, Any] = {
        "session": session,
        "principal": book.principal(session),
        "alert_id": book.invoice_alert.id,
        "channel": "crm",
        "now": NOW,
        "promised_date": date(2026, 11, 30),
        "amount": Decimal("1200.50"),
    }
    promise = service.log_promise(**act, note="wire on Monday")
    session.commit()
    assert (
        promise.account_id,
        promise.invoice_id,
        promise.promised_date,
        promise.amount,
        promise.status,
        promise.note,
        promise.created_by_id,
    ) == (
        book.account.id,
        book.invoice.id,
        date(2026, 11, 30),
        Decimal("1200.50"),
        "open",
        "wire on Monday",
        book.owner.id,
    )
    alert = session.get_one(Alert, book.invoice_alert.id)
    assert (alert.state, alert.snoozed_until, alert.snooze_reason) == (
        "snoozed",
        datetime(2026, 11, 30, tzinfo=UTC),
        "promise to pay",
    )
    event = session.scalars(select(AlertEvent).where(AlertEvent.kind == "promise")).one()
    assert (event.actor, event.channel, event.detail) == (
        "maya.chen@nudge.example",
        "crm",
        {"until": "2026-11-30", "reason": "promise to pay", "promise_id": promise.id, "amount": "1200.50"},
    )
    # The same promise logged twice (a double click) is one promise and one event.
    assert service.log_promise(**act).id == promise.id
    session.commit()
    assert count(session, PaymentPromise) == 1
    assert [kind for kind, *_ in history(session, book.invoice_alert)] == ["opened", "promise"]


@pytest.mark.parametrize(
    ("promised", "amount", "message"),
    [
        (
            date(2026, 11, 19),
            None,
            r"a promise to pay needs a date after today \(2026-11-20\), not 2026-11-19",
        ),
        (TODAY, None, r"a promise to pay needs a date after today \(2026-11-20\), not 2026-11-20"),
        (date(2026, 11, 30), Decimal(0), "a promised amount must be more than zero, not 0"),
        (date(2026, 11, 30), Decimal("-5"), "a promised amount must be more than zero, not -5"),
        (
            date(2026, 11, 30),
            Decimal("1200.51"),
            "the promised amount 1200.51 is more than the 1200.50 USD still open on invoice INV-1",
        ),
    ],
)
def test_a_promise_is_refused_for_a_past_date_or_a_wrong_amount(
    session: Session, book: Book, promised: date, amount: Decimal | None, message: str
) -> None:
    with pytest.raises(ActionRefusedError, match=f"^{message}$"):
        service.log_promise(
            session=session,
            principal=book.principal(session),
            alert_id=book.invoice_alert.id,
            channel="api",
            now=NOW,
            promised_date=promised,
            amount=amount,
        )
    session.rollback()
    assert count(session, PaymentPromise) == 0
    assert session.get_one(Alert, book.invoice_alert.id).state == "firing"


def test_a_promise_or_a_dispute_needs_an_invoice_with_something_to_pay(session: Session, book: Book) -> None:
    common: dict[str, Any] = {
        "session": session,
        "principal": book.principal(session),
        "channel": "api",
        "now": NOW,
    }
    with pytest.raises(
        ActionRefusedError,
        match=r"^this alert is about the whole account: a promise to pay needs an invoice$",
    ):
        service.log_promise(**common, alert_id=book.account_alert.id, promised_date=date(2026, 11, 30))
    with pytest.raises(
        ActionRefusedError, match=r"^this alert is about the whole account: a dispute needs an invoice$"
    ):
        service.mark_disputed(**common, alert_id=book.account_alert.id, reason="pricing")
    invoice = session.get_one(Invoice, book.invoice.id)
    invoice.amount_paid, invoice.status = invoice.amount, "paid"
    session.flush()
    with pytest.raises(ActionRefusedError, match=r"^invoice INV-1 has nothing left to pay$"):
        service.log_promise(**common, alert_id=book.invoice_alert.id, promised_date=date(2026, 11, 30))


def test_a_dispute_is_opened_once_and_keeps_the_alerts_state(session: Session, book: Book) -> None:
    act: dict[str, Any] = {
        "session": session,
        "principal": book.principal(session),
        "alert_id": book.invoice_alert.id,
        "channel": "extension",
        "now": NOW,
    }
    dispute = service.mark_disputed(**act, reason="pricing", note="wrong unit price")
    session.commit()
    assert (dispute.invoice_id, dispute.reason, dispute.status, dispute.note, dispute.opened_by_id) == (
        book.invoice.id,
        "pricing",
        "open",
        "wrong unit price",
        book.owner.id,
    )
    assert session.get_one(Alert, book.invoice_alert.id).state == "firing"
    event = session.scalars(select(AlertEvent).where(AlertEvent.kind == "dispute")).one()
    assert (event.channel, event.from_state, event.to_state, event.detail) == (
        "extension",
        "firing",
        "firing",
        {"until": None, "reason": "pricing", "dispute_id": dispute.id},
    )
    assert service.mark_disputed(**act, reason="pricing").id == dispute.id
    with pytest.raises(
        ActionRefusedError, match=rf"^invoice INV-1 is already disputed \(pricing, dispute {dispute.id}\)$"
    ):
        service.mark_disputed(**act, reason="not delivered")
    with pytest.raises(ActionRefusedError, match=r"^a dispute needs a reason$"):
        service.mark_disputed(**act, reason="  ")
    session.rollback()
    assert count(session, Dispute) == 1
    assert [kind for kind, *_ in history(session, book.invoice_alert)] == ["opened", "dispute"]


def test_closing_and_reopening_undo_each_other_once(session: Session, book: Book) -> None:
    act: dict[str, Any] = {
        "session": session,
        "principal": book.principal(session),
        "alert_id": book.invoice_alert.id,
    }
    closed = service.close(**act, channel="web", now=NOW, note="handled by phone")
    assert (closed.state, closed.resolution, closed.resolved_at) == ("resolved", "closed", NOW)
    service.close(**act, channel="web", now=NOW + timedelta(seconds=1))
    with pytest.raises(ActionRefusedError, match=r"^cannot acknowledge an alert that is resolved$"):
        service.acknowledge(**act, channel="web", now=NOW)
    reopened = service.reopen(**act, channel="cli", now=NOW + timedelta(minutes=1))
    assert (reopened.state, reopened.resolution, reopened.resolved_at) == ("firing", None, None)
    service.reopen(**act, channel="cli", now=NOW + timedelta(minutes=2))
    session.commit()
    assert history(session, book.invoice_alert) == [
        ("opened", "nudge", None, "firing"),
        ("close", "maya.chen@nudge.example", "web", "resolved"),
        ("reopen", "maya.chen@nudge.example", "cli", "firing"),
    ]


def test_only_a_persons_close_can_be_reopened(session: Session, book: Book) -> None:
    act: dict[str, Any] = {
        "session": session,
        "principal": book.principal(session),
        "channel": "api",
        "now": NOW,
    }
    service.acknowledge(**act, alert_id=book.account_alert.id)
    with pytest.raises(ActionRefusedError, match=r"^cannot reopen an alert that is acknowledged$"):
        service.reopen(**act, alert_id=book.account_alert.id)
    alert = session.get_one(Alert, book.invoice_alert.id)
    alert.state, alert.resolution = "resolved", "paid"
    session.flush()
    with pytest.raises(
        ActionRefusedError,
        match=r"^cannot reopen an alert resolved as 'paid': only an alert a person closed can be reopened$",
    ):
        service.reopen(**act, alert_id=book.invoice_alert.id)


def test_allowed_actions_follow_the_state_and_the_alerts_subject(session: Session, book: Book) -> None:
    invoice_alert = session.get_one(Alert, book.invoice_alert.id)
    account_alert = session.get_one(Alert, book.account_alert.id)
    assert service.allowed_actions(invoice_alert) == ("acknowledge", "snooze", "promise", "dispute", "close")
    assert service.allowed_actions(account_alert) == ("acknowledge", "snooze", "close")
    act: dict[str, Any] = {
        "session": session,
        "principal": book.principal(session),
        "channel": "api",
        "now": NOW,
    }
    service.acknowledge(**act, alert_id=invoice_alert.id)
    assert service.allowed_actions(invoice_alert) == ("snooze", "promise", "dispute", "close")
    service.snooze(**act, alert_id=invoice_alert.id, duration=timedelta(days=3))
    assert service.allowed_actions(invoice_alert) == ("acknowledge", "snooze", "promise", "dispute", "close")
    service.close(**act, alert_id=account_alert.id)
    assert service.allowed_actions(account_alert) == ("reopen",)
    invoice_alert.state, invoice_alert.resolution = "resolved", "paid"
    assert service.allowed_actions(invoice_alert) == ()


def test_an_alert_on_someone_elses_account_is_not_found(session: Session, book: Book) -> None:
    stranger = book.principal(session, book.other_csm)
    for action in (service.acknowledge, service.close, service.reopen):
        with pytest.raises(AlertNotFoundError, match=f"^no alert {book.invoice_alert.id}$"):
            action(
                session=session, principal=stranger, alert_id=book.invoice_alert.id, channel="web", now=NOW
            )
    with pytest.raises(AlertNotFoundError):
        service.mark_disputed(
            session=session,
            principal=stranger,
            alert_id=book.invoice_alert.id,
            channel="web",
            now=NOW,
            reason="pricing",
        )
    assert history(session, book.invoice_alert) == [("opened", "nudge", None, "firing")]


def test_an_unknown_channel_is_a_programming_error(session: Session, book: Book) -> None:
    with pytest.raises(
        ValueError, match=r"^unknown channel 'fax' \(one of web, api, email, slack, crm, extension, cli\)$"
    ):
        service.acknowledge(
            session=session,
            principal=book.principal(session),
            alert_id=book.invoice_alert.id,
            channel="fax",  # type: ignore[arg-type]
            now=NOW,
        )
