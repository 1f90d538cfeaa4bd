"""What Nudge makes of an interaction: the alert-action service, the account context, a
person's open alerts, for whoever the vendor's user is in Nudge (the caller commits).

The vendor's user is the person whose ``slack_id`` (or, for another vendor, its id) is
theirs; someone Nudge does not know is told so and nothing changes. Every action goes
through :mod:`agent.alerts.service` with the vendor as channel, so history says "in
slack", a repeat changes nothing, and a refusal is shown to the person.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent.alerts import service as alerts
from agent.alerts.tables import Alert as AlertRow
from agent.auth.service import Principal, principal_for
from agent.context.lookup import BadLookupError, text_lookup
from agent.context.service import account_context
from agent.delivery.compose import Composer
from agent.delivery.links import LinkProvider
from agent.profile.tables import Account, Invoice, Person
from agent.settings import Settings
from connectors.core.interactions import Interaction, Outcome
from connectors.core.protocols import AccountSection, Recipient

OPEN_STATES = ("firing", "acknowledged", "snoozed")
SNOOZE_CHOICES = (1, 3, 7)


def person_for(*, session: Session, interaction: Interaction) -> Person | None:
    """The active person the vendor's user is."""
    if not interaction.user_id:
        return None
    return session.scalar(
        select(Person).where(Person.slack_id == interaction.user_id, Person.active.is_(True))
    )


def handle(
    *, session: Session, settings: Settings, links: LinkProvider, interaction: Interaction, now: datetime
) -> Outcome:
    """Act on ``interaction`` and say what came of it."""
    if interaction.kind == "ping":
        return Outcome(interaction)
    person = person_for(session=session, interaction=interaction)
    if person is None:
        return Outcome(
            interaction, error="Nudge does not know your Slack account: ask an admin to add your Slack id."
        )
    principal = principal_for(session=session, person=person)
    try:
        outcome = _dispatch(session, settings, links, principal, interaction, now)
    except alerts.AlertNotFoundError:
        return Outcome(interaction, error=f"No alert {interaction.alert_id} among those you may see.")
    except alerts.ActionRefusedError as refused:
        return _refused(interaction, refused.message)
    if interaction.kind in ("home", "action", "submit") and outcome.ok:
        home = open_alert_sections(session=session, settings=settings, links=links, principal=principal)
        return replace(outcome, home=home, nudge_url=settings.base_url)
    return outcome


def _dispatch(
    session: Session,
    settings: Settings,
    links: LinkProvider,
    principal: Principal,
    interaction: Interaction,
    now: datetime,
) -> Outcome:
    if interaction.kind == "lookup":
        return _lookup(session, settings, principal, interaction)
    if interaction.kind == "home":
        return Outcome(interaction)  # handle() draws the home view
    if interaction.alert_id is None:
        return Outcome(interaction, error="This button does not name an alert.")
    if interaction.kind == "action":
        return _act(session, principal, interaction, interaction.alert_id, now)
    if interaction.kind == "form":
        return _form(session, principal, interaction, interaction.alert_id)
    return _submit(session, principal, interaction, interaction.alert_id, now)


def _act(
    session: Session, principal: Principal, interaction: Interaction, alert_id: int, now: datetime
) -> Outcome:
    common: dict[str, Any] = {
        "session": session,
        "principal": principal,
        "alert_id": alert_id,
        "channel": "slack",
        "now": now,
    }
    if interaction.action == "acknowledge":
        alerts.acknowledge(**common)
    elif interaction.action == "snooze":
        days = interaction.values.get("days", "")
        if not days.isdigit() or int(days) not in SNOOZE_CHOICES:
            return Outcome(interaction, error=f"Snooze for 1, 3 or 7 days, not {days!r}.")
        alerts.snooze(**common, duration=timedelta(days=int(days)))
    else:
        return Outcome(interaction, error=f"Unknown action {interaction.action!r}.")
    return Outcome(interaction)


def _form(session: Session, principal: Principal, interaction: Interaction, alert_id: int) -> Outcome:
    """Whether the alert allows the action whose form the person opens, and what it is about."""
    listing = alerts.get_alert(session=session, principal=principal, alert_id=alert_id)
    if interaction.action not in listing.actions:
        verb = "log a promise on" if interaction.action == "promise" else "dispute"
        return Outcome(interaction, error=f"You cannot {verb} this alert now (it is {listing.alert.state}).")
    invoice = session.get(Invoice, listing.alert.invoice_id) if listing.alert.invoice_id else None
    about = listing.account_name
    if invoice is not None:
        open_amount = f"{invoice.amount_open:,.2f} {invoice.currency}"
        about = f"{listing.account_name} · invoice {invoice.number} · {open_amount} open"
    return Outcome(interaction, title=about)


def _submit(
    session: Session, principal: Principal, interaction: Interaction, alert_id: int, now: datetime
) -> Outcome:
    common: dict[str, Any] = {
        "session": session,
        "principal": principal,
        "alert_id": alert_id,
        "channel": "slack",
        "now": now,
    }
    values = interaction.values
    if interaction.action == "dispute":
        reason = values.get("reason", "").strip()
        if not reason:
            return Outcome(interaction, field_errors={"reason": "Say what the customer disputes."})
        alerts.mark_disputed(**common, reason=reason)
        return Outcome(interaction)
    errors: dict[str, str] = {}
    promised = _date(values.get("date", ""), errors)
    amount = _amount(values.get("amount", ""), errors)
    if errors or promised is None:
        return Outcome(interaction, field_errors=errors)
    alerts.log_promise(**common, promised_date=promised, amount=amount)
    return Outcome(interaction)


def _date(raw: str, errors: dict[str, str]) -> date | None:
    if not raw:
        errors["date"] = "Pick the date the customer promised to pay."
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors["date"] = f"{raw!r} is not a date (YYYY-MM-DD)."
        return None


def _amount(raw: str, errors: dict[str, str]) -> Decimal | None:
    cleaned = raw.replace(",", "").strip()
    if not cleaned:
        return None
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        errors["amount"] = f"{raw!r} is not an amount."
        return None
    if not amount.is_finite():
        errors["amount"] = f"{raw!r} is not an amount."
        return None
    return amount


def _refused(interaction: Interaction, message: str) -> Outcome:
    """A refusal; on a form, under the field it is about."""
    if interaction.kind != "submit":
        return Outcome(interaction, error=message)
    if interaction.action == "dispute":
        return Outcome(interaction, field_errors={"reason": message})
    return Outcome(interaction, field_errors={"amount" if "amount" in message else "date": message})


def _lookup(session: Session, settings: Settings, principal: Principal, interaction: Interaction) -> Outcome:
    query = interaction.values.get("query", "")
    try:
        lookup = text_lookup(query)
    except BadLookupError as exc:
        return Outcome(interaction, error=str(exc))
    context = account_context(
        session=session, principal=principal, settings=settings, lookup=lookup, base_url=settings.base_url
    )
    if context is None:
        return Outcome(interaction, error=f"No account you may see matches {query!r}.")
    return Outcome(interaction, card=context.model_dump(mode="json"))


def open_alert_sections(
    *, session: Session, settings: Settings, links: LinkProvider, principal: Principal
) -> tuple[AccountSection, ...]:
    """The open alerts on the person's own accounts, grouped per account, most money at risk first."""
    rows = (
        session.execute(
            select(AlertRow.id, AlertRow.account_id)
            .join(Account, Account.id == AlertRow.account_id)
            .where(Account.owner_id == principal.person_id, AlertRow.state.in_(OPEN_STATES))
        )
        .tuples()
        .all()
    )
    if not rows:
        return ()
    at_risk = dict(
        session.execute(
            select(Invoice.account_id, func.sum(Invoice.amount - Invoice.amount_paid))
            .where(Invoice.account_id.in_({account for _, account in rows}), Invoice.paid_date.is_(None))
            .group_by(Invoice.account_id)
        )
        .tuples()
        .all()
    )
    recipient = Recipient(address=principal.email, kind="person", name=principal.name)
    composer = Composer(session=session, base_url=settings.base_url, links=links, today=settings.today())
    sections = composer.sections([alert_id for alert_id, _ in rows], recipient)
    return tuple(sorted(sections, key=lambda s: (-Decimal(at_risk.get(s.account_id) or 0), s.name)))
