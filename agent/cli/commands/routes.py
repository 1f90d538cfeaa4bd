"""``nudge routes test LABEL=VALUE...``: show which routes match and who would be told."""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.cli.common import UserError, emit_json, existing_file

if TYPE_CHECKING:
    from rules.routing import RouteMatch, RoutingConfig


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``routes test``."""
    parser = subparsers.add_parser("routes", help="inspect the alert routing tree")
    commands = parser.add_subparsers(dest="routes_command", required=True, metavar="ACTION")
    test = commands.add_parser("test", help="who would be told about an alert with these labels")
    test.add_argument("labels", nargs="+", metavar="LABEL=VALUE", help="alert labels, e.g. severity=high")
    test.add_argument(
        "--config", type=existing_file, default=None, help="routing file (default: the shipped one)"
    )
    test.add_argument("--json", action="store_true", help="one JSON object on stdout")
    test.set_defaults(handler=run_test)


def _labels(pairs: list[str]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UserError(f"'{pair}' is not LABEL=VALUE")
        labels[name] = value
    return labels


def _span(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _describe(config: RoutingConfig, match: RouteMatch, labels: dict[str, str]) -> dict[str, Any]:
    """One matching route as plain data: receiver, recipients, grouping, timings."""
    from rules.routing import recipients

    def told(receiver: str) -> list[str]:
        return [f"{r.kind}:{r.address}" for r in recipients(config, receiver, labels)]

    escalate = match.escalate
    return {
        "route": match.name,
        "receiver": match.receiver,
        "recipients": told(match.receiver),
        "group_by": list(match.group_by),
        "group": {name: labels.get(name, "") for name in match.group_by},
        "group_wait": _span(match.group_wait),
        "group_interval": _span(match.group_interval),
        "repeat_interval": _span(match.repeat_interval),
        "escalate": None if escalate is None else {"after": _span(escalate.after), "to": told(escalate.to)},
    }


def run_test(args: argparse.Namespace) -> int:
    """Print each matching route with its receiver, recipients, grouping and timings."""
    import rules
    from rules.errors import RuleLoadError
    from rules.routing import load_routing, match_routes

    labels = _labels(args.labels)
    try:
        config = load_routing(args.config or Path(rules.__file__).parent / "routing.yaml")
    except RuleLoadError as exc:
        raise UserError(f"the routing file has mistakes:\n{exc}") from None
    routes = [_describe(config, match, labels) for match in match_routes(config, labels)]
    if args.json:
        emit_json({"labels": labels, "routes": routes})
        return 0
    for route in routes:
        told = ", ".join(route["recipients"]) or "nobody (no recipient for these labels)"
        print(f"{route['route']}: {route['receiver']} -> {told}")
        print(
            f"  group_by {route['group_by']}, wait {route['group_wait']}, "
            f"interval {route['group_interval']}, repeat {route['repeat_interval']}"
        )
        if route["escalate"]:
            print(
                f"  escalates after {route['escalate']['after']} to "
                f"{', '.join(route['escalate']['to']) or 'nobody'}"
            )
    return 0
