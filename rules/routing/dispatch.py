"""Plan notifications: grouping and timing, escalation, quiet hours and the noise budget.

Pure logic over a :class:`DeliveryLog` the caller persists (the outbox): :func:`plan`
says what is due now, :func:`record` notes what was handed to delivery.

* A group (route, recipient, values of the ``group_by`` labels) is first sent
  ``group_wait`` after its oldest alert opened, again ``group_interval`` after the last
  send when it gained alerts, and ``repeat_interval`` after the last send otherwise.
* An alert still unacknowledged ``escalate.after`` it opened goes once to ``escalate.to``.
* A person is not messaged in their quiet hours (their time zone): the notification is
  deferred to the end of the quiet window. Past their daily budget, notifications go to
  their daily digest instead (escalations always go through).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from rules.routing.config import QuietHours, RoutingConfig
from rules.routing.silences import Muter, muted
from rules.routing.tree import Recipient, RouteMatch, match_routes, recipients

GroupKey = tuple[str, str, str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class PendingAlert:
    """What routing needs to know about an open alert."""

    key: tuple[str, str, str | None]
    labels: Mapping[str, str]
    opened_at: datetime
    acknowledged: bool = False


@dataclass(frozen=True)
class Notification:
    """One message to one recipient about a group of alerts."""

    recipient: Recipient
    group: GroupKey
    alert_keys: tuple[tuple[str, str, str | None], ...]
    reason: str  # first | new_alerts | repeat | escalation
    delivery: str  # now | digest | deferred
    send_at: datetime


@dataclass
class DeliveryLog:
    """What was sent before: the state :func:`plan` needs between runs."""

    last_sent: dict[GroupKey, tuple[datetime, frozenset[tuple[str, str, str | None]]]] = field(
        default_factory=dict
    )
    sent_per_day: Counter[tuple[str, str]] = field(default_factory=Counter)
    escalated: set[tuple[tuple[str, str, str | None], str]] = field(default_factory=set)


def in_quiet_hours(quiet: QuietHours, moment: time) -> bool:
    """Whether a local time of day falls in the quiet window (which may span midnight)."""
    if quiet.start <= quiet.end:
        return quiet.start <= moment < quiet.end
    return moment >= quiet.start or moment < quiet.end


def next_allowed(now: datetime, zone: str, quiet: QuietHours | None) -> datetime:
    """``now`` if messaging is allowed, else the end of the quiet window (as an aware datetime)."""
    if quiet is None:
        return now
    local = now.astimezone(ZoneInfo(zone))
    if not in_quiet_hours(quiet, local.time()):
        return now
    end = local.replace(hour=quiet.end.hour, minute=quiet.end.minute, second=0, microsecond=0)
    if end <= local:
        end = (local + timedelta(days=1)).replace(
            hour=quiet.end.hour, minute=quiet.end.minute, second=0, microsecond=0
        )
    return end.astimezone(now.tzinfo)


def plan(
    config: RoutingConfig,
    alerts: Sequence[PendingAlert],
    *,
    now: datetime,
    log: DeliveryLog,
    muters: Iterable[Muter] = (),
) -> list[Notification]:
    """Notifications due at ``now`` (or deferred by quiet hours), muted alerts left out."""
    muters = list(muters)
    live = [alert for alert in alerts if not muted(muters, alert.labels, now)]
    groups: dict[GroupKey, tuple[RouteMatch, Recipient, list[PendingAlert]]] = {}
    planned: list[Notification] = []
    for alert in live:
        for match in match_routes(config, alert.labels):
            for recipient in recipients(config, match.receiver, alert.labels):
                values = tuple((name, alert.labels.get(name, "")) for name in match.group_by)
                key: GroupKey = (match.name, recipient.receiver, recipient.address, values)
                groups.setdefault(key, (match, recipient, []))[2].append(alert)
            planned.extend(_escalations(config, match, alert, now, log))
    counts = Counter(log.sent_per_day)
    for key, (match, recipient, members) in groups.items():
        reason = _due_reason(key, match, members, now, log)
        if reason is not None:
            keys = tuple(sorted({a.key for a in members}, key=str))
            planned.append(_deliver(config, recipient, key, keys, reason, now, counts))
    return planned


def _due_reason(
    key: GroupKey, match: RouteMatch, members: list[PendingAlert], now: datetime, log: DeliveryLog
) -> str | None:
    last = log.last_sent.get(key)
    if last is None:
        return "first" if min(a.opened_at for a in members) + match.group_wait <= now else None
    sent_at, sent_keys = last
    if {a.key for a in members} - sent_keys:
        return "new_alerts" if sent_at + match.group_interval <= now else None
    return "repeat" if sent_at + match.repeat_interval <= now else None


def _escalations(
    config: RoutingConfig, match: RouteMatch, alert: PendingAlert, now: datetime, log: DeliveryLog
) -> list[Notification]:
    rule = match.escalate
    if rule is None or alert.acknowledged or alert.opened_at + rule.after > now:
        return []
    out = []
    for recipient in recipients(config, rule.to, alert.labels):
        if (alert.key, recipient.address) in log.escalated:
            continue
        group: GroupKey = (
            match.name,
            recipient.receiver,
            recipient.address,
            (("escalation", str(alert.key)),),
        )
        send_at = _quiet_until(config, recipient, now)
        delivery = "now" if send_at == now else "deferred"
        out.append(Notification(recipient, group, (alert.key,), "escalation", delivery, send_at))
    return out


def _quiet_until(config: RoutingConfig, recipient: Recipient, now: datetime) -> datetime:
    if recipient.person is None or recipient.kind != "person":
        return now
    person = config.person(recipient.person)
    return next_allowed(now, person.timezone, person.quiet_hours or config.defaults.quiet_hours)


def _deliver(
    config: RoutingConfig,
    recipient: Recipient,
    key: GroupKey,
    keys: tuple[tuple[str, str, str | None], ...],
    reason: str,
    now: datetime,
    counts: Counter[tuple[str, str]],
) -> Notification:
    send_at = _quiet_until(config, recipient, now)
    if send_at != now:
        return Notification(recipient, key, keys, reason, "deferred", send_at)
    if recipient.kind == "person" and recipient.person:
        person = config.person(recipient.person)
        budget = person.daily_budget if person.daily_budget is not None else config.defaults.daily_budget
        day = (recipient.person, now.astimezone(ZoneInfo(person.timezone)).date().isoformat())
        if counts[day] >= budget:
            return Notification(recipient, key, keys, reason, "digest", now)
        counts[day] += 1
    return Notification(recipient, key, keys, reason, "now", now)


def record(log: DeliveryLog, config: RoutingConfig, notification: Notification) -> None:
    """Note a notification handed to delivery (``now`` or ``digest``); deferred ones are not."""
    if notification.delivery == "deferred":
        return
    if notification.reason == "escalation":
        log.escalated.update((key, notification.recipient.address) for key in notification.alert_keys)
        return
    log.last_sent[notification.group] = (notification.send_at, frozenset(notification.alert_keys))
    recipient = notification.recipient
    if notification.delivery == "now" and recipient.kind == "person" and recipient.person:
        zone = ZoneInfo(config.person(recipient.person).timezone)
        log.sent_per_day[(recipient.person, notification.send_at.astimezone(zone).date().isoformat())] += 1
