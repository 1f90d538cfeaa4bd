"""Walk the routing tree for an alert's labels: which routes match and who is told.

Alertmanager semantics: the root matches everything; children are tried in order; the
first matching child wins unless it sets ``continue: true``; a node none of whose
children match handles the alert itself. Unset timings and ``group_by`` are inherited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from rules.routing.config import Escalation, Receiver, Route, RoutingConfig
from rules.routing.matchers import all_match

DEFAULT_GROUP_BY = ("account",)
DEFAULT_TIMINGS = {
    "group_wait": timedelta(seconds=30),
    "group_interval": timedelta(minutes=5),
    "repeat_interval": timedelta(days=1),
}


@dataclass(frozen=True)
class RouteMatch:
    """A matching route with its settings resolved through inheritance."""

    path: tuple[int, ...]
    receiver: str
    group_by: tuple[str, ...]
    group_wait: timedelta
    group_interval: timedelta
    repeat_interval: timedelta
    escalate: Escalation | None

    @property
    def name(self) -> str:
        return "root" + "".join(f".routes[{index}]" for index in self.path)


@dataclass(frozen=True)
class Recipient:
    """A concrete destination: a person's email, a Slack channel, a CRM task or an address."""

    receiver: str
    kind: str
    address: str
    person: str | None = None


def match_routes(config: RoutingConfig, labels: Mapping[str, str]) -> list[RouteMatch]:
    """Every route that handles an alert with these labels."""
    root = _resolve(config.route, None, ())
    return _descend(config.route, root, labels)


def _resolve(route: Route, parent: RouteMatch | None, path: tuple[int, ...]) -> RouteMatch:
    def pick(name: str) -> timedelta:
        own = getattr(route, name)
        return own if own is not None else getattr(parent, name) if parent else DEFAULT_TIMINGS[name]

    group_by = (
        tuple(route.group_by)
        if route.group_by is not None
        else (parent.group_by if parent else DEFAULT_GROUP_BY)
    )
    return RouteMatch(
        path=path,
        receiver=route.receiver or (parent.receiver if parent else ""),
        group_by=group_by,
        group_wait=pick("group_wait"),
        group_interval=pick("group_interval"),
        repeat_interval=pick("repeat_interval"),
        escalate=route.escalate if route.escalate is not None else (parent.escalate if parent else None),
    )


def _descend(route: Route, resolved: RouteMatch, labels: Mapping[str, str]) -> list[RouteMatch]:
    found: list[RouteMatch] = []
    for index, child in enumerate(route.routes):
        if not all_match(child.matchers, labels):
            continue
        found.extend(_descend(child, _resolve(child, resolved, (*resolved.path, index)), labels))
        if not child.continue_:
            break
    return found or [resolved]


def recipients(config: RoutingConfig, receiver_name: str, labels: Mapping[str, str]) -> list[Recipient]:
    """Who a receiver means for this alert (an owner-less account goes to the fallback)."""
    receiver = config.receiver(receiver_name)
    found = _direct(config, receiver, labels)
    if not found and receiver.fallback:
        return recipients(config, receiver.fallback, labels)
    return found


def _direct(config: RoutingConfig, receiver: Receiver, labels: Mapping[str, str]) -> list[Recipient]:
    owner = labels.get("owner") or None
    if receiver.kind == "account_owner":
        return [Recipient(receiver.name, "person", owner, owner)] if owner else []
    if receiver.kind == "owner_manager":
        manager = config.person(owner).manager if owner else None
        return [Recipient(receiver.name, "person", manager, manager)] if manager else []
    if receiver.kind == "slack_channel":
        return [Recipient(receiver.name, "slack_channel", receiver.channel or "")]
    if receiver.kind == "crm_task":
        return [Recipient(receiver.name, "crm_task", labels.get("account", ""), owner)]
    return [Recipient(receiver.name, "email", address) for address in receiver.to]
