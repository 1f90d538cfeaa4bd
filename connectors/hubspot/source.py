"""HubSpot as a source: owners, companies, contacts, deals and their associations.

Full sync lists each object type at the largest page (100), contacts and deals with their
company associations inline. Incremental sync uses the search API sorted by the
last-modified property, 200 per page; every page narrows the window to start at the last
timestamp read (skipping the records already read at exactly that timestamp), so paging
never reaches search's 10,000-result cap and a record modified mid-sync (which moves to
the end of the order) cannot shift another one out of a page. Deletions come from the
archived list. The cursor after each page is enough to resume without gaps.

Cursor layout::

    {"phase": "full", "stage": "companies", "after": "1234", "started_ms": ...}
    {"phase": "incremental", "stage": "contacts", "since_ms": {"companies": ..., ...},
     "seen_at_since": {...}, "archived_since_ms": ..., "run_started_ms": ...}
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from hubspot.crm.associations.v4 import (
    BatchInputPublicFetchAssociationsBatchRequest,
    PublicFetchAssociationsBatchRequest,
)
from hubspot.crm.objects import (
    BatchReadInputSimplePublicObjectId,
    Filter,
    FilterGroup,
    PublicObjectSearchRequest,
    SimplePublicObjectId,
)

from connectors.core.calls import CallStats
from connectors.core.protocols import Cursor, Page
from connectors.core.records import RecordBase
from connectors.hubspot import mapping
from connectors.hubspot.client import HubSpotClient
from connectors.hubspot.facts import BATCH_READ_MAX, LIST_MAX, OBJECT_TYPES, SEARCH_MAX, modified_property
from connectors.hubspot.settings import HubSpotSettings

LIST_PAGE = LIST_MAX
SEARCH_PAGE = SEARCH_MAX
BATCH_READ = BATCH_READ_MAX
OBJECT_STAGES = OBJECT_TYPES
FULL_STAGES = ("owners", *OBJECT_STAGES)
INCREMENTAL_STAGES = ("owners", *OBJECT_STAGES, "archived")


class SearchWindowError(RuntimeError):
    """More records share one modification timestamp than search can page through."""


class HubSpotSource:
    """Pulls HubSpot CRM data page by page with a resumable cursor."""

    name = "hubspot"

    def __init__(self, settings: HubSpotSettings, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self.client = HubSpotClient(settings, sleep=sleep)
        self._owner_emails: dict[str, str] | None = None

    @property
    def stats(self) -> CallStats:
        """Requests sent so far (retries included)."""
        return self.client.caller.stats

    def pull(self, since: Cursor | None) -> Iterator[Page]:
        """Full sync when ``since`` is None, else resume or continue incrementally."""
        if since is None or since.get("phase") == "full":
            yield from self._full(
                since or {"phase": "full", "stage": "owners", "started_ms": self._window_start_ms()}
            )
        else:
            yield from self._incremental(dict(since))

    def _window_start_ms(self) -> int:
        return int((time.time() - self.settings.search_lag_seconds) * 1000)

    # ----- full sync -----

    def _full(self, cursor: Cursor) -> Iterator[Page]:
        for stage in FULL_STAGES[FULL_STAGES.index(cursor["stage"]) :]:
            after = cursor.get("after") if stage == cursor["stage"] else None
            if stage == "owners":
                records = self._owners()
                cursor = {**cursor, "stage": "companies", "after": None}
                yield Page(records, cursor)
                continue
            for records, next_after in self._list_pages(stage, after):
                cursor = {**cursor, "stage": stage, "after": next_after}
                yield Page(records, cursor)
        started = cursor["started_ms"]
        yield Page(
            [],
            {
                "phase": "incremental",
                "stage": "owners",
                "since_ms": dict.fromkeys(OBJECT_STAGES, started),
                "seen_at_since": dict.fromkeys(OBJECT_STAGES, 0),
                "archived_since_ms": started,
            },
        )

    def _list_pages(
        self, object_type: str, after: str | None, archived: bool = False
    ) -> Iterator[tuple[list[RecordBase], str | None]]:
        associations = ["companies"] if object_type != "companies" else None
        while True:
            reply = self.client.call(
                self.client.objects_basic.get_page,
                object_type,
                limit=LIST_PAGE,
                after=after,
                properties=mapping.PROPERTIES[object_type],
                associations=associations,
                archived=archived,
            )
            after = reply.paging.next.after if reply.paging and reply.paging.next else None
            yield [self._to_record(object_type, obj) for obj in reply.results], after
            if after is None:
                return

    def _owners(self) -> list[RecordBase]:
        owners: list[Any] = []
        after = None
        while True:
            reply = self.client.call(self.client.owners.get_page, limit=500, after=after)
            owners.extend(reply.results)
            if not (reply.paging and reply.paging.next):
                break
            after = reply.paging.next.after
        self._owner_emails = {str(o.id): o.email for o in owners if o.email}
        return [mapping.to_person(o) for o in owners]

    def _to_record(self, object_type: str, obj: Any, companies: tuple[str, ...] | None = None) -> RecordBase:
        if object_type == "companies":
            if self._owner_emails is None:
                self._owners()
            return mapping.to_account(obj, self._owner_emails or {})
        if object_type == "contacts":
            return mapping.to_contact(obj, companies)
        return mapping.to_deal(obj, companies)

    def lookup(self, object_type: str, ids: list[str]) -> list[RecordBase]:
        """Current records for ids a webhook named, 100 per batch read (archived ones are
        absent from the answer; their ``.deletion`` event is the signal)."""
        records: list[RecordBase] = []
        for start in range(0, len(ids), BATCH_READ):
            request = BatchReadInputSimplePublicObjectId(
                inputs=[SimplePublicObjectId(id=i) for i in ids[start : start + BATCH_READ]],
                properties=mapping.PROPERTIES[object_type],
                properties_with_history=[],
            )
            reply = self.client.call(self.client.objects_batch.read, object_type, request)
            records.extend(self._search_records(object_type, reply.results))
        return records

    # ----- incremental sync -----

    def _incremental(self, cursor: Cursor) -> Iterator[Page]:
        cursor.setdefault("run_started_ms", self._window_start_ms())
        for stage in INCREMENTAL_STAGES[INCREMENTAL_STAGES.index(cursor["stage"]) :]:
            cursor = {**cursor, "stage": stage}
            pages = (
                iter([Page(self._owners(), cursor)])
                if stage == "owners"
                else self._archived(cursor)
                if stage == "archived"
                else self._search_pages(stage, cursor)
            )
            for page in pages:
                cursor = page.cursor
                yield page
        final = {**cursor, "stage": "owners", "archived_since_ms": cursor["run_started_ms"]}
        del final["run_started_ms"]
        yield Page([], final)

    def _search_pages(self, object_type: str, cursor: Cursor) -> Iterator[Page]:
        prop = modified_property(object_type)
        since, seen = cursor["since_ms"][object_type], cursor["seen_at_since"][object_type]
        while True:
            if seen + SEARCH_PAGE > 10_000:
                raise SearchWindowError(f"hubspot: over 10,000 {object_type} modified at {since} ms")
            request = PublicObjectSearchRequest(
                filter_groups=[
                    FilterGroup(filters=[Filter(property_name=prop, operator="GTE", value=str(since))])
                ],
                sorts=[{"propertyName": prop, "direction": "ASCENDING"}],
                properties=mapping.PROPERTIES[object_type],
                limit=SEARCH_PAGE,
                after=str(seen),
            )
            reply = self.client.call(self.client.objects_search.do_search, object_type, request)
            records = self._search_records(object_type, reply.results)
            since, seen = _advance(since, seen, reply.results, prop)
            cursor = _with_window(cursor, object_type, since, seen)
            yield Page(records, cursor)
            if not (reply.paging and reply.paging.next):
                return

    def _search_records(self, object_type: str, objects: list[Any]) -> list[RecordBase]:
        if object_type == "companies" or not objects:
            return [self._to_record(object_type, o) for o in objects]
        links = self._company_links(object_type, [str(o.id) for o in objects])
        return [self._to_record(object_type, o, links.get(str(o.id), ())) for o in objects]

    def _company_links(self, object_type: str, ids: list[str]) -> dict[str, tuple[str, ...]]:
        """Company associations of search hits (search results carry none): one v4 batch read."""
        request = BatchInputPublicFetchAssociationsBatchRequest(
            inputs=[PublicFetchAssociationsBatchRequest(id=i) for i in ids]
        )
        reply = self.client.call(self.client.associations.get_page, object_type, "companies", request)
        return {str(r._from.id): tuple(str(t.to_object_id) for t in r.to) for r in reply.results}

    def _archived(self, cursor: Cursor) -> Iterator[Page]:
        since = cursor["archived_since_ms"]
        for object_type in OBJECT_STAGES:
            for records, _ in self._list_pages(object_type, None, archived=True):
                fresh = [
                    r for r in records if r.updated_at is None or r.updated_at.timestamp() * 1000 >= since
                ]
                yield Page(fresh, cursor)


def _advance(since: int, seen: int, results: list[Any], prop: str) -> tuple[int, int]:
    """The next window start and how many records at exactly that start were already read."""
    for obj in results:
        stamp = _ms(obj.properties[prop])
        if stamp == since:
            seen += 1
        else:
            since, seen = stamp, 1
    return since, seen


def _with_window(cursor: Cursor, object_type: str, since: int, seen: int) -> Cursor:
    return {
        **cursor,
        "since_ms": {**cursor["since_ms"], object_type: since},
        "seen_at_since": {**cursor["seen_at_since"], object_type: seen},
    }


def _ms(value: str) -> int:
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)
