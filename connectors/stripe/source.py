"""Stripe as a source: customers, invoices (and the payments they record), credit notes.

Full sync lists each resource 100 at a time with ``starting_after``. Before it starts it
notes the newest event id (the anchor); incremental syncs then walk the events newer than
the last one applied with ``ending_before``, oldest page first, so every page's cursor is
safe to persist. Stripe keeps events 30 days: a cursor older than that starts a full
re-list.

Cursor layout::

    {"phase": "full", "stage": "invoices", "starting_after": "in_...", "anchor": "evt_..."|None,
     "started": epoch}
    {"phase": "incremental", "last_event": "evt_..."|None, "since": epoch}
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from connectors.core.calls import CallStats
from connectors.core.protocols import Cursor, Page
from connectors.core.records import RecordBase
from connectors.stripe import mapping
from connectors.stripe.client import StripeApi
from connectors.stripe.facts import EVENT_RETENTION_SECONDS
from connectors.stripe.settings import StripeSettings

PAGE = 100
RESOURCES = ("customers", "invoices", "credit_notes")
# Events already in flight when a full sync starts must not be lost: start the event
# window this much earlier when there is no anchor event.
CLOCK_MARGIN_SECONDS = 5
EVENT_TYPES = [
    "customer.created",
    "customer.updated",
    "customer.deleted",
    "invoice.created",
    "invoice.finalized",
    "invoice.updated",
    "invoice.paid",
    "invoice.payment_succeeded",
    "invoice.voided",
    "invoice.marked_uncollectible",
    "invoice.deleted",
    "credit_note.created",
    "credit_note.updated",
    "credit_note.voided",
]


class StripeSource:
    """Pulls Stripe billing data page by page with a resumable cursor."""

    name = "stripe"

    def __init__(
        self,
        settings: StripeSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.api = StripeApi(settings, sleep=sleep)
        self._clock = clock

    @property
    def stats(self) -> CallStats:
        """Requests sent so far (retries included)."""
        return self.api.caller.stats

    def pull(self, since: Cursor | None) -> Iterator[Page]:
        """Full sync when ``since`` is None or too old for events; else apply new events."""
        if since is not None and since.get("phase") == "full":
            yield from self._full(since)
        elif since is None or self._clock() - since["since"] > EVENT_RETENTION_SECONDS:
            yield from self._full(self._start_full())
        else:
            yield from self._events(since)

    # ----- full sync -----

    def _start_full(self) -> Cursor:
        newest = self.api.list("events", limit=1)
        anchor = newest["data"][0]["id"] if newest["data"] else None
        return {
            "phase": "full",
            "stage": RESOURCES[0],
            "starting_after": None,
            "anchor": anchor,
            "started": int(self._clock()) - CLOCK_MARGIN_SECONDS,
        }

    def _full(self, cursor: Cursor) -> Iterator[Page]:
        for resource in RESOURCES[RESOURCES.index(cursor["stage"]) :]:
            after = cursor["starting_after"] if resource == cursor["stage"] else None
            while True:
                page = self.api.list(resource, limit=PAGE, starting_after=after)
                records = [r for obj in page["data"] for r in mapping.from_object(obj)]
                after = page["data"][-1]["id"] if page["data"] else after
                more = bool(page["has_more"])
                cursor = {**cursor, "stage": resource, "starting_after": after if more else None}
                yield Page(records, cursor)
                if not more:
                    break
        yield Page([], {"phase": "incremental", "last_event": cursor["anchor"], "since": cursor["started"]})

    # ----- incremental sync -----

    def _events(self, cursor: Cursor) -> Iterator[Page]:
        if cursor["last_event"] is None:
            yield from self._events_since(cursor["since"])
            return
        last = cursor["last_event"]
        while True:
            page = self.api.list("events", limit=PAGE, ending_before=last, types=EVENT_TYPES)
            events = list(reversed(page["data"]))  # Stripe lists newest first
            if events:
                last = events[-1]["id"]
                cursor = {
                    "phase": "incremental",
                    "last_event": last,
                    "since": events[-1]["created"],
                }
            yield Page(_apply(events), cursor)
            if not page["has_more"]:
                return

    def _events_since(self, since: int) -> Iterator[Page]:
        """Without an anchor, read the window newest first and apply it oldest first."""
        events: list[Any] = []
        after = None
        while True:
            page = self.api.list(
                "events", limit=PAGE, starting_after=after, types=EVENT_TYPES, created={"gt": since}
            )
            events.extend(page["data"])
            if not page["has_more"]:
                break
            after = page["data"][-1]["id"]
        events.reverse()
        last = events[-1]["id"] if events else None
        yield Page(
            _apply(events),
            {
                "phase": "incremental",
                "last_event": last,
                "since": events[-1]["created"] if events else since,
            },
        )


def _apply(events: list[Any]) -> list[RecordBase]:
    """The latest state of each object the events touch (events in time order)."""
    latest: dict[tuple[str, str, str], RecordBase] = {}
    for event in events:
        when = datetime.fromtimestamp(event["created"], UTC)
        for record in mapping.from_object(event["data"]["object"], event["type"]):
            latest[record.key] = record.model_copy(update={"updated_at": when})
    return list(latest.values())
