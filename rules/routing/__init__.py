"""Who is told about an alert, and when: the Alertmanager-style routing tree and delivery plan."""

from rules.routing.config import Receiver, Route, RoutingConfig, load_routing, parse_routing
from rules.routing.dispatch import (
    DeliveryLog,
    Notification,
    PendingAlert,
    next_allowed,
    plan,
    record,
)
from rules.routing.matchers import Matcher, parse_matcher
from rules.routing.silences import Inhibition, Muter, Silence, muted
from rules.routing.tree import Recipient, RouteMatch, match_routes, recipients

__all__ = [
    "DeliveryLog",
    "Inhibition",
    "Matcher",
    "Muter",
    "Notification",
    "PendingAlert",
    "Receiver",
    "Recipient",
    "Route",
    "RouteMatch",
    "RoutingConfig",
    "Silence",
    "load_routing",
    "match_routes",
    "muted",
    "next_allowed",
    "parse_matcher",
    "parse_routing",
    "plan",
    "recipients",
    "record",
]
