"""The plugin interfaces a connector implements: Source, Notifier, WriteBack, and what they exchange.

A source pulls page by page. Each :class:`Page` carries the cursor to persist *after* its
records are stored, so a crash mid-sync resumes from the last committed page: records of
the interrupted page come again (the profile upserts by key, so no duplicates) and
nothing after the committed cursor is skipped (no gaps).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

from connectors.core.calls import CallStats
from connectors.core.records import RecordBase

# A cursor is plain JSON (dicts, lists, str, int, float, bool, None) so the sync-run table
# can store it as is. Its layout belongs to the connector that wrote it.
Cursor = dict[str, Any]


@dataclass(frozen=True)
class Page:
    """Records read in one step, and the cursor that is safe to persist once they are stored."""

    records: Sequence[RecordBase]
    cursor: Cursor


@dataclass
class PullResult:
    """Everything one sync produced, for callers that do not stream (tests, small demos)."""

    records: list[RecordBase] = field(default_factory=list)
    cursor: Cursor | None = None
    pages: int = 0
    api_calls: int = 0


@runtime_checkable
class Source(Protocol):
    """Something that yields records changed since a cursor (``None`` = full sync)."""

    name: str

    @property
    def stats(self) -> CallStats:
        """Requests sent so far."""
        ...

    def pull(self, since: Cursor | None) -> Iterator[Page]:
        """Yield pages in order; the last page's cursor is the next sync's ``since``."""
        ...


@dataclass(frozen=True)
class ActionLink:
    """A one-click action offered in a message; Nudge signs the URL, the notifier only shows it."""

    action: str  # acknowledge | snooze | promise | dispute | open | open_crm
    label: str
    url: str


@dataclass(frozen=True)
class InvoiceLine:
    """The invoice an alert is about, as a message shows it."""

    number: str
    amount_open: Decimal
    currency: str
    due_date: date
    days_past_due: int  # negative: days until due


@dataclass(frozen=True)
class AlertLine:
    """One alert in a message."""

    alert_id: int
    rule: str
    severity: str
    state: str
    message: str
    invoice: InvoiceLine | None = None
    p_late: float | None = None
    reasons: tuple[str, ...] = ()
    actions: tuple[ActionLink, ...] = ()
    # What a person may do to the alert now (acknowledge, snooze, promise, dispute...), for
    # channels with their own controls (Slack buttons); links stay in ``actions``.
    allowed: tuple[str, ...] = ()
    # The latest change in words ("Acknowledged by Maya Chen in slack", "resolved: paid on ...").
    status_note: str | None = None


@dataclass(frozen=True)
class AccountSection:
    """The alerts of one account in a message (messages are grouped per account)."""

    account_id: int
    name: str
    url: str  # the account in Nudge
    owner: str | None = None
    dso: float | None = None
    terms_days: int | None = None
    alerts: tuple[AlertLine, ...] = ()


@dataclass(frozen=True)
class Recipient:
    """Who a message goes to: a person, a channel or a CRM record owner."""

    address: str  # e-mail address, Slack channel, CRM owner id...
    kind: str  # person | slack_channel | crm_task | crm_note | email
    name: str | None = None
    timezone: str = "UTC"
    slack_id: str | None = None


@dataclass(frozen=True)
class OutgoingMessage:
    """One message to send, composed by Nudge's delivery pipeline from due notifications.

    ``key`` is stable across retries (an e-mail's Message-ID, a Slack message's metadata),
    and ``previous_ref`` is the vendor id of the message this one replaces, so a notifier
    that can edit (Slack, a CRM task) edits instead of posting again. ``notes`` are lines
    shown before the sections, for what is not about an alert (a silence about to end).
    ``attempt`` counts from 1: past the first, an earlier attempt may have reached the
    vendor, so a notifier that cannot pass ``key`` as an idempotency key looks for it first.
    """

    key: str
    channel: str
    kind: str  # alerts | digest | escalation | reminder
    recipient: Recipient
    sections: tuple[AccountSection, ...]
    nudge_url: str
    previous_ref: str | None = None
    notes: tuple[str, ...] = ()
    attempt: int = 1


@dataclass(frozen=True)
class Rendered:
    """What a notifier sends, stored as is so people can see exactly what went out."""

    text: str  # the plain-text version, always present
    subject: str | None = None
    html: str | None = None
    body: dict[str, Any] | None = None  # a vendor-native payload (Slack blocks, CRM task fields)


class DeliveryError(Exception):
    """A send that failed, with whether trying again may help (and when)."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


@runtime_checkable
class Notifier(Protocol):
    """Something that tells people about alerts (e-mail, Slack...), for the channels it serves.

    A notifier that edits its messages in place may set ``per_account = True``: the pipeline
    then sends one message per (channel, recipient, account) and passes the last one's
    vendor id as ``previous_ref`` when the account's alerts change (see :func:`per_account`).
    """

    name: str
    channels: tuple[str, ...]

    def render(self, message: OutgoingMessage) -> Rendered:
        """The message in this channel's format (pure: no vendor call)."""
        ...

    def send(self, message: OutgoingMessage, rendered: Rendered) -> str:
        """Deliver it and return the vendor's id; raise :class:`DeliveryError` on failure."""
        ...


def per_account(notifier: Notifier) -> bool:
    """Whether ``notifier`` wants one message per account, edited as the account's alerts change."""
    return bool(getattr(notifier, "per_account", False))


@runtime_checkable
class WriteBack(Protocol):
    """Something that records alerts in a vendor system (a CRM task or note)."""

    name: str

    def record(self, message: OutgoingMessage, rendered: Rendered) -> str:
        """Create the task or note, or update ``message.previous_ref``; return the vendor's id."""
        ...


def pull_all(source: Source, since: Cursor | None = None) -> PullResult:
    """Drain ``source.pull(since)`` into one :class:`PullResult`."""
    result = PullResult(cursor=since)
    calls_before = source.stats.calls
    for page in source.pull(since):
        result.records.extend(page.records)
        result.cursor = page.cursor
        result.pages += 1
    result.api_calls = source.stats.calls - calls_before
    return result
