"""How and when a planned notification travels: the channel, the time, or why it cannot.

A person is reached by Slack direct message when a notifier serves ``slack_dm`` and the
person has a Slack id, otherwise by e-mail. E-mail about high or critical alerts goes at
once; the rest waits for the recipient's morning digest (``NUDGE_DIGEST_HOUR`` in their
time zone), as does anything past a person's daily budget on any channel. A recipient
that cannot be reached (no e-mail address, no notifier for the channel) is not skipped:
the notification is recorded as undeliverable with the reason.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from rules.routing import Notification

URGENT_SEVERITIES = frozenset({"high", "critical"})


@dataclass(frozen=True)
class Reachable:
    """What the delivery pipeline knows of a person: from the ``people`` table."""

    email: str
    name: str | None
    timezone: str
    slack_id: str | None


@dataclass(frozen=True)
class Destination:
    """A notification's channel and send time, or the reason it cannot be delivered."""

    channel: str
    send_at: datetime
    undeliverable: str | None = None


def destination(
    notification: Notification,
    *,
    person: Reachable | None,
    served: Collection[str],
    severities: Collection[str],
    digest_hour: int,
    timezone: str,
) -> Destination:
    """Choose the channel and time of ``notification`` (``served``: channels with a notifier)."""
    recipient = notification.recipient
    channel = channel_for(recipient.kind, person, served)
    zone = person.timezone if person else timezone
    send_at = notification.send_at
    if notification.delivery == "digest" or (channel == "email" and not URGENT_SEVERITIES & set(severities)):
        send_at = next_digest(send_at, zone=zone, hour=digest_hour)
    return Destination(channel, send_at, why_unreachable(recipient.kind, recipient.address, channel, served))


def channel_for(kind: str, person: Reachable | None, served: Collection[str]) -> str:
    """A person's channel (Slack DM if served and known, else e-mail); other kinds are their own."""
    if kind != "person":
        return kind
    return "slack_dm" if "slack_dm" in served and person is not None and person.slack_id else "email"


def why_unreachable(kind: str, address: str, channel: str, served: Collection[str]) -> str | None:
    """Why ``address`` cannot be reached on ``channel``, or None when it can."""
    if channel == "email" and "@" not in address:
        who = "this person" if kind == "person" else "this receiver"
        return f"{who} has no e-mail address ({address!r})"
    if channel not in served:
        return f"no notifier is configured for the {channel} channel"
    return None


def next_digest(moment: datetime, *, zone: str, hour: int) -> datetime:
    """The first ``hour``:00 in ``zone`` at or after ``moment`` (in ``moment``'s zone)."""
    local = moment.astimezone(ZoneInfo(zone))
    at = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if at < local:
        at = (local + timedelta(days=1)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return at.astimezone(moment.tzinfo)
