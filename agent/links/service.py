"""Making action links for a message, and using one (the caller commits).

A link acts in the name of the person it was sent to, through the alert-action service,
recorded with channel ``email``. Mail security scanners fetch links before people click
them, so opening a link only shows what it would do (:func:`inspect`); the page's button
posts, and only that uses it (:func:`redeem`). A link is used at most once: its nonce is
stored first, so a second use (even a concurrent one) fails on the primary key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from agent.alerts import service as alerts
from agent.alerts.tables import Alert as AlertRow
from agent.auth.service import Principal, principal_for
from agent.links.secret import signing_key
from agent.links.tables import UsedActionLink
from agent.links.tokens import LinkClaims, LinkError, UsedLinkError, new_claims, sign, verify
from agent.profile.tables import Account, Invoice, Person
from agent.settings import Settings
from connectors.core.protocols import ActionLink, Recipient

SNOOZE_DAYS = 3
LABELS = {"acknowledge": "Acknowledge", "snooze": f"Snooze {SNOOZE_DAYS} days", "open": "Open in Nudge"}
DONE = {"acknowledge": "acknowledged", "snooze": f"snoozed for {SNOOZE_DAYS} days"}
SIGNED = ("acknowledge", "snooze")  # the actions a link can take (open-in-Nudge is always offered)


class ActionNotAllowedError(LinkError):
    """The alert changed since the e-mail went out and no longer allows the action."""

    status = 409
    title = "This action is no longer possible"


class LinkForbiddenError(LinkError):
    """The recipient may no longer act on the alert."""

    status = 403
    title = "You can no longer act on this alert"


class AlertGoneError(LinkError):
    """The alert was deleted (its account was removed)."""

    status = 404
    title = "This alert no longer exists"


@dataclass(frozen=True)
class LinkTarget:
    """A usable link and the alert it acts on, as its page shows them."""

    claims: LinkClaims
    alert: AlertRow
    account_name: str
    invoice_number: str | None

    @property
    def label(self) -> str:
        """The button's text."""
        return LABELS[self.claims.action]


class ActionLinks:
    """Signs the links of the alerts in one message (``links`` is the composer's hook)."""

    def __init__(self, *, key: bytes, base_url: str, ttl: timedelta, now: datetime) -> None:
        self.key = key
        self.base_url = base_url
        self.expires_at = now + ttl

    @classmethod
    def from_settings(cls, settings: Settings, *, now: datetime) -> ActionLinks:
        """Links signed with the configured key, expiring ``NUDGE_LINK_TTL_HOURS`` after ``now``."""
        ttl = timedelta(hours=settings.link_ttl_hours)
        return cls(key=signing_key(settings), base_url=settings.base_url, ttl=ttl, now=now)

    def links(self, alert: AlertRow, recipient: Recipient) -> tuple[ActionLink, ...]:
        """Acknowledge and snooze (for a person, as the state allows), then open in Nudge."""
        signed: list[ActionLink] = []
        if recipient.kind == "person":
            allowed = alerts.allowed_actions(alert)
            for action in (action for action in SIGNED if action in allowed):
                claims = new_claims(
                    alert_id=alert.id, action=action, recipient=recipient.address, expires_at=self.expires_at
                )
                url = f"{self.base_url}/l/{sign(claims, self.key)}"
                signed.append(ActionLink(action, LABELS[action], url))
        page = f"{self.base_url}/accounts/{alert.account_id}"
        return (*signed, ActionLink("open", LABELS["open"], page))


def inspect(*, session: Session, settings: Settings, token: str, now: datetime) -> LinkTarget:
    """What an unused, authentic, unexpired link would do; :class:`LinkError` otherwise."""
    claims = verify(token, signing_key(settings), now=now)
    used = session.get(UsedActionLink, claims.nonce)
    if used is not None:
        raise UsedLinkError(
            f"It was used on {used.used_at:%Y-%m-%d at %H:%M} UTC: each e-mail button works once. "
            "The alert's history in Nudge shows what was done."
        )
    found = session.execute(
        select(AlertRow, Account.name, Invoice.number)
        .join(Account, Account.id == AlertRow.account_id)
        .outerjoin(Invoice, Invoice.id == AlertRow.invoice_id)
        .where(AlertRow.id == claims.alert_id)
    ).first()
    if found is None:
        raise AlertGoneError(f"Alert {claims.alert_id} was removed with its account; there is nothing to do.")
    alert, account_name, invoice_number = found
    return LinkTarget(claims, alert, account_name, invoice_number)


def redeem(*, session: Session, settings: Settings, token: str, now: datetime) -> LinkTarget:
    """Use the link: act as its recipient through the action service, remember it used."""
    target = inspect(session=session, settings=settings, token=token, now=now)
    claims = target.claims
    person = session.scalar(
        select(Person).where(func.lower(Person.email) == claims.recipient, Person.active.is_(True))
    )
    if person is None:
        raise LinkForbiddenError(f"{claims.recipient} is no longer an active person in Nudge.")
    session.add(
        UsedActionLink(
            nonce=claims.nonce,
            alert_id=claims.alert_id,
            action=claims.action,
            recipient=claims.recipient,
            used_at=now,
            expires_at=claims.expires_at,
        )
    )
    try:
        session.flush()
    except IntegrityError:
        raise UsedLinkError("It was used a moment ago: each e-mail button works once.") from None
    _perform(session, principal_for(session=session, person=person), claims, now)
    return target


def _perform(session: Session, principal: Principal, claims: LinkClaims, now: datetime) -> None:
    try:
        if claims.action == "acknowledge":
            alerts.acknowledge(
                session=session, principal=principal, alert_id=claims.alert_id, channel="email", now=now
            )
        else:
            alerts.snooze(
                session=session,
                principal=principal,
                alert_id=claims.alert_id,
                channel="email",
                now=now,
                duration=timedelta(days=SNOOZE_DAYS),
            )
    except alerts.AlertNotFoundError:
        raise LinkForbiddenError(
            f"{claims.recipient} no longer looks after this alert's account, so the link cannot act on it."
        ) from None
    except alerts.ActionRefusedError as exc:
        raise ActionNotAllowedError(f"The alert changed since the e-mail was sent: {exc.message}.") from None
