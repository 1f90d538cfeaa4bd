"""The routing file: receivers, people, defaults, the route tree and inhibitions.

Loaded like rule files (unknown keys refused, ``file:line:col`` errors); cross-references
(an unknown receiver, a duplicate receiver name, an unknown time zone) are load errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from rules.catalogue import suggest
from rules.errors import RuleError, RuleLoadError
from rules.routing.matchers import Matcher, parse_matcher
from rules.validation import placed_errors
from rules.yamlsource import YamlSource, load_yaml

_SPAN = re.compile(r"^(\d+)([smhdw])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def _span(value: object) -> timedelta:
    if isinstance(value, timedelta):
        return value
    match = _SPAN.match(str(value).strip())
    if not match:
        raise ValueError(f"'{value}' is not a duration (like 30s, 5m, 4h, 1d)")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


def _clock(value: object) -> time:
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"'{value}' is not a time of day (like 19:00)") from None


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone '{value}'") from None
    return value


Span = Annotated[timedelta, BeforeValidator(_span)]
Zone = Annotated[str, AfterValidator(_zone)]
Clock = Annotated[time, BeforeValidator(_clock)]
MatcherField = Annotated[Matcher, BeforeValidator(parse_matcher)]


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, arbitrary_types_allowed=True
    )


class QuietHours(_Strict):
    """No direct messages between ``start`` and ``end`` local time (may span midnight)."""

    start: Clock
    end: Clock


class Receiver(_Strict):
    """Who or where a notification goes."""

    name: str
    kind: Literal["account_owner", "owner_manager", "slack_channel", "crm_task", "email"]
    channel: str | None = None
    to: list[str] = Field(default_factory=list)
    fallback: str | None = None

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("#"):
            raise ValueError(f"a Slack channel starts with '#', not '{value}'")
        return value


class Person(_Strict):
    """Someone who receives alerts: time zone, manager and personal overrides."""

    email: str
    timezone: Zone = "UTC"
    manager: str | None = None
    quiet_hours: QuietHours | None = None
    daily_budget: int | None = Field(default=None, ge=0)


class Defaults(_Strict):
    """What applies to people without their own settings."""

    timezone: Zone = "UTC"
    quiet_hours: QuietHours | None = None
    daily_budget: int = Field(default=20, ge=0)


class Escalation(_Strict):
    """Tell ``to`` when an alert is still unacknowledged ``after`` it opened."""

    after: Span
    to: str


class Route(_Strict):
    """A node of the routing tree; unset timings and ``group_by`` are inherited."""

    receiver: str | None = None
    matchers: list[MatcherField] = Field(default_factory=list)
    continue_: bool = Field(default=False, alias="continue")
    group_by: list[str] | None = None
    group_wait: Span | None = None
    group_interval: Span | None = None
    repeat_interval: Span | None = None
    escalate: Escalation | None = None
    routes: list[Route] = Field(default_factory=list)


class InhibitRule(_Strict):
    """While an alert matching ``source_matchers`` fires, mute targets sharing ``equal`` labels."""

    source_matchers: list[MatcherField]
    target_matchers: list[MatcherField]
    equal: list[str] = Field(default_factory=lambda: ["account"])


class RoutingConfig(_Strict):
    """The whole routing file."""

    receivers: list[Receiver]
    people: list[Person] = Field(default_factory=list)
    defaults: Defaults = Field(default_factory=Defaults)
    route: Route
    inhibit_rules: list[InhibitRule] = Field(default_factory=list)

    def receiver(self, name: str) -> Receiver:
        return next(r for r in self.receivers if r.name == name)

    def person(self, email: str) -> Person:
        """The person's settings, or the defaults for someone not listed."""
        found = next((p for p in self.people if p.email == email), None)
        return found or Person(email=email, timezone=self.defaults.timezone)


def load_routing(path: Path) -> RoutingConfig:
    """Load and cross-check a routing file; raise :class:`RuleLoadError` with every mistake."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleLoadError([RuleError(f"cannot read file: {exc.strerror}")]) from None
    return parse_routing(str(path), text)


def parse_routing(path: str, text: str) -> RoutingConfig:
    """Like :func:`load_routing` for text already read."""
    try:
        source = load_yaml(path, text)
    except RuleError as exc:
        raise RuleLoadError([exc]) from None
    if not isinstance(source.data, dict):
        raise RuleLoadError(
            [RuleError("a routing file must be a mapping of keys to values", source.location(()))]
        )
    try:
        config = RoutingConfig.model_validate(source.data)
    except ValidationError as exc:
        raise RuleLoadError(placed_errors(source, exc, RoutingConfig)) from None
    errors = _cross_reference_errors(config, source)
    if errors:
        raise RuleLoadError(errors)
    return config


def _cross_reference_errors(config: RoutingConfig, source: YamlSource) -> list[RuleError]:
    errors: list[RuleError] = []
    names: list[str] = []
    for index, receiver in enumerate(config.receivers):
        if receiver.name in names:
            where = source.location(("receivers", index, "name"))
            errors.append(RuleError(f"duplicate receiver name '{receiver.name}'", where))
        names.append(receiver.name)
        errors.extend(_receiver_shape(receiver, ("receivers", index), source))

    def check(name: str | None, path: tuple[str | int, ...]) -> None:
        if name is not None and name not in names:
            hint = suggest(name, names)
            errors.append(RuleError(f"unknown receiver '{name}'{hint}", source.location(path)))

    for index, receiver in enumerate(config.receivers):
        check(receiver.fallback, ("receivers", index, "fallback"))
    if config.route.receiver is None:
        errors.append(RuleError("the root route needs a receiver (the default)", source.location(("route",))))
    _walk_routes(config.route, ("route",), check)
    return sorted(errors, key=lambda e: (e.location.line, e.location.column) if e.location else (0, 0))


def _receiver_shape(receiver: Receiver, path: tuple[str | int, ...], source: YamlSource) -> list[RuleError]:
    if receiver.kind == "slack_channel" and receiver.channel is None:
        return [RuleError("a slack_channel receiver needs 'channel'", source.location(path))]
    if receiver.kind == "email" and not receiver.to:
        return [RuleError("an email receiver needs 'to'", source.location(path))]
    return []


def _walk_routes(
    route: Route,
    path: tuple[str | int, ...],
    check: Callable[[str | None, tuple[str | int, ...]], None],
) -> None:
    check(route.receiver, (*path, "receiver"))
    if route.escalate is not None:
        check(route.escalate.to, (*path, "escalate", "to"))
    for index, child in enumerate(route.routes):
        _walk_routes(child, (*path, "routes", index), check)
