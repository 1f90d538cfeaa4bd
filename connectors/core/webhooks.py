"""Inbound webhooks as pure functions: a raw request and the time in, verified events out.

A connector declares its routes as :class:`WebhookRoute` (a path and a ``receive``
function closed over its secret). ``receive`` checks the signature and that the request
was signed within the tolerance of ``now`` in *both* directions (a replay from the past
and a timestamp from the future are refused alike), then parses the body into events and
the sources an incremental sync should run for, and names the delivery. The application
mounts the routes and remembers deliveries to refuse replays; no web framework is needed
to test them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from connectors.core.interactions import Answer, Interaction, Outcome


class WebhookRejectedError(ValueError):
    """A request refused: a bad or stale signature (401) or a body that is not events (400)."""

    def __init__(self, message: str, *, status: int = 401) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class InboundRequest:
    """A webhook request as it arrived: the URL the vendor called, headers, the raw body."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        """A header by name, in any case."""
        wanted = name.lower()
        return next((value for key, value in self.headers.items() if key.lower() == wanted), None)


@dataclass(frozen=True)
class WebhookEvents:
    """What a verified request announced: its events, which sources to sync incrementally,
    and ``delivery``, what tells this delivery from any other (the vendor's event id, else
    its signature): the application refuses a second sync request with the same one (one
    that names none is known by its body)."""

    events: tuple[dict[str, Any], ...]
    sync: tuple[str, ...] = field(default=())
    # People acting from the vendor's app; the application handles them (see ``answer``).
    interactions: tuple[Interaction, ...] = field(default=())
    delivery: str = ""


Receiver = Callable[[InboundRequest, datetime], WebhookEvents]


Answerer = Callable[[Sequence[Outcome]], Answer]


@dataclass(frozen=True)
class WebhookRoute:
    """One inbound route: ``POST path`` answered by ``receive(request, now)``.

    A route that carries interactions also has ``answer``: given what the application made
    of them, the vendor's HTTP answer (it may call the vendor, e.g. to open a form). Without
    ``answer`` the route answers 204 once the syncs are requested.
    """

    path: str
    receive: Receiver
    answer: Answerer | None = None


def check_timestamp(*, signed_at: datetime, now: datetime, tolerance: timedelta) -> None:
    """Refuse a signature older or newer than ``tolerance`` around ``now``."""
    if signed_at < now - tolerance:
        raise WebhookRejectedError(f"signature timestamp is more than {_seconds(tolerance)} s old")
    if signed_at > now + tolerance:
        raise WebhookRejectedError(f"signature timestamp is more than {_seconds(tolerance)} s in the future")


def _seconds(tolerance: timedelta) -> int:
    return round(tolerance.total_seconds())
