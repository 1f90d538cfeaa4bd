"""Salesforce as a source: User (owners), Account, Contact, Opportunity.

Each object is read with SOQL ordered by ``SystemModstamp, Id`` and paged through
``nextRecordsUrl``; the watermark after each batch is the last ``SystemModstamp`` read,
so a crash resumes at ``SystemModstamp >= watermark`` without gaps (rows at the
watermark come again and upsert). An object without a watermark is an initial load
(``query``, live rows only); if its first batch reports more than ``bulk_threshold``
rows the load switches to a Bulk API 2.0 query job, paged by ``Sforce-Locator`` and
resumable from the cursor. Later syncs use ``queryAll`` so deletions (``IsDeleted``)
come through.

Cursor layout::

    {"stage": "Account", "watermarks": {"User": "2024-...+0000", "Account": None, ...},
     "bulk": None | {"job": "750...", "locator": "", "max_seen": "..."}}
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable, Iterator
from typing import Any

from connectors.core.calls import CallStats
from connectors.core.protocols import Cursor, Page
from connectors.salesforce import mapping
from connectors.salesforce.client import SalesforceApi
from connectors.salesforce.settings import SalesforceSettings

OBJECTS = ("User", "Account", "Contact", "Opportunity")


class BulkJobFailedError(RuntimeError):
    """A Bulk API 2.0 query job ended Failed or Aborted."""


class SalesforceSource:
    """Pulls Salesforce CRM data page by page with a resumable cursor."""

    name = "salesforce"

    def __init__(self, settings: SalesforceSettings, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self.api = SalesforceApi(settings, sleep=sleep)
        self._sleep = sleep

    @property
    def stats(self) -> CallStats:
        """Requests sent so far (retries included)."""
        return self.api.caller.stats

    def pull(self, since: Cursor | None) -> Iterator[Page]:
        """Initial load for objects without a watermark, incremental for the others."""
        cursor = since or {"stage": OBJECTS[0], "watermarks": dict.fromkeys(OBJECTS), "bulk": None}
        for sobject in OBJECTS[OBJECTS.index(cursor["stage"]) :]:
            cursor = {**cursor, "stage": sobject}
            pages = (
                self._bulk_pages(sobject, cursor) if cursor.get("bulk") else self._soql_pages(sobject, cursor)
            )
            for page in pages:
                cursor = page.cursor
                yield page
        yield Page([], {**cursor, "stage": OBJECTS[0]})

    def _soql(self, sobject: str, watermark: str | None) -> str:
        # ">=" rather than ">": rows sharing the watermark's millisecond may straddle a
        # batch boundary; they come again and upsert instead of being skipped.
        where = f" WHERE SystemModstamp >= {watermark[:23]}Z" if watermark else ""
        fields = ", ".join(mapping.FIELDS[sobject])
        return f"SELECT {fields} FROM {sobject}{where} ORDER BY SystemModstamp, Id"

    def _soql_pages(self, sobject: str, cursor: Cursor) -> Iterator[Page]:
        watermark = cursor["watermarks"][sobject]
        initial = watermark is None
        reply = self.api.call(self.api.sf.query, self._soql(sobject, watermark), include_deleted=not initial)
        if initial and reply["totalSize"] > self.settings.bulk_threshold:
            yield from self._bulk_pages(sobject, cursor)
            return
        while True:
            rows = reply["records"]
            if rows:
                watermark = rows[-1]["SystemModstamp"]
            cursor = {**cursor, "watermarks": {**cursor["watermarks"], sobject: watermark}}
            yield Page([mapping.to_record(sobject, row) for row in rows], cursor)
            if reply["done"]:
                return
            reply = self.api.call(
                self.api.sf.query_more,
                reply["nextRecordsUrl"],
                identifier_is_url=True,
                include_deleted=not initial,
            )

    def _bulk_pages(self, sobject: str, cursor: Cursor) -> Iterator[Page]:
        client = self.api.bulk(sobject)
        state = cursor.get("bulk") or self._start_job(client, sobject, cursor)
        while True:
            result = self.api.call(
                client.get_query_results,
                state["job"],
                state["locator"],
                self.settings.bulk_page_size,
            )
            rows = list(csv.DictReader(io.StringIO(result["records"])))
            stamps = [row["SystemModstamp"] for row in rows if row.get("SystemModstamp")]
            max_seen = max([s for s in (state["max_seen"], *stamps) if s], default=None, key=_stamp_key)
            records = [mapping.to_record(sobject, row) for row in rows]
            if result["locator"]:
                state = {**state, "locator": result["locator"], "max_seen": max_seen}
                yield Page(records, {**cursor, "bulk": state})
                continue
            yield Page(
                records,
                {**cursor, "bulk": None, "watermarks": {**cursor["watermarks"], sobject: max_seen}},
            )
            return

    def _start_job(self, client: Any, sobject: str, cursor: Cursor) -> dict[str, Any]:
        # Bulk results are not ordered: the watermark is the highest SystemModstamp read,
        # applied only once every result page is in.
        job = self.api.call(client.create_job, "query", self._soql(sobject, None).split(" ORDER BY")[0])
        while True:
            info = self.api.call(client.get_job, job["id"], True)
            if info["state"] == "JobComplete":
                return {"job": job["id"], "locator": "", "max_seen": None}
            if info["state"] in ("Failed", "Aborted"):
                raise BulkJobFailedError(
                    f"salesforce: bulk query on {sobject} ended {info['state']}: {info.get('errorMessage')}"
                )
            self._sleep(self.settings.bulk_poll_seconds)


def _stamp_key(stamp: str) -> str:
    """SystemModstamp text sorts chronologically once the zone suffix is uniform."""
    return stamp.replace("Z", "+0000")
