"""Builders for connector tests: a small realistic book to seed the emulators, a stand-in
profile that applies pages the way the store does (upsert by key, commit the cursor after
the page), a crash simulator, and a worker run as a real subprocess to be killed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from connectors.core.protocols import Cursor, Page, Source
from connectors.core.records import RecordBase

OWNERS = [
    {"email": "maya.chen@nudge.dev", "first_name": "Maya", "last_name": "Chen"},
    {"email": "tom.okafor@nudge.dev", "first_name": "Tom", "last_name": "Okafor"},
]


def companies(count: int) -> list[dict[str, Any]]:
    """CRM companies with a domain, an owner and the Stripe customer id they bill under."""
    return [
        {
            "name": f"Northwind {i:04d} GmbH" if i % 3 == 0 else f"Acme Analytics {i:04d}",
            "domain": f"customer{i:04d}.example",
            "owner_email": OWNERS[i % len(OWNERS)]["email"],
            "stripe_customer_id": f"cus_demo{i:04d}",
            "country": "DE" if i % 3 == 0 else "US",
        }
        for i in range(count)
    ]


def contacts(count: int) -> list[dict[str, Any]]:
    """One billing contact per company."""
    return [
        {
            "email": f"ap@customer{i:04d}.example",
            "first_name": "Ana",
            "last_name": f"Payables{i}",
            "title": "Accounts Payable",
            "company_domain": f"customer{i:04d}.example",
            "account_domain": f"customer{i:04d}.example",
        }
        for i in range(count)
    ]


def deals(count: int) -> list[dict[str, Any]]:
    """Renewal deals, every other one closed won."""
    return [
        {
            "name": f"Renewal FY27 customer{i:04d}",
            "amount": 12_000 + 500 * i,
            "stage": "closedwon" if i % 2 == 0 else "contractsent",
            "close_date": "2026-12-15",
            "renewal": True,
            "company_domain": f"customer{i:04d}.example",
            "account_domain": f"customer{i:04d}.example",
            "owner_email": OWNERS[i % len(OWNERS)]["email"],
        }
        for i in range(count)
    ]


def invoices(count: int, customers: int) -> list[dict[str, Any]]:
    """Monthly invoices: a third paid, one in ten partially paid, one in twenty void."""
    rows = []
    for i in range(count):
        status = "paid" if i % 3 == 0 else "void" if i % 20 == 1 else "open"
        rows.append(
            {
                "customer": f"cus_demo{i % customers:04d}",
                "number": f"NW-{2026_0000 + i}",
                "currency": "eur" if i % 4 == 0 else "usd",
                "total": 1_250.50 + i,
                "amount_paid": 300 if status == "open" and i % 10 == 2 else None,
                "issue_date": "2026-09-01",
                "due_date": "2026-10-01",
                "paid_at": "2026-09-25T10:00:00Z" if status == "paid" else None,
                "status": status,
            }
        )
    return rows


@dataclass
class Profile:
    """What the profile store would hold: the latest record per key and the committed cursor."""

    records: dict[tuple[str, str, str], RecordBase] = field(default_factory=dict)
    cursor: Cursor | None = None
    pages: int = 0

    def apply(self, page: Page) -> None:
        """Upsert the page's records, then commit its cursor (one transaction in the store)."""
        for record in page.records:
            self.records[record.key] = record
        self.cursor = page.cursor
        self.pages += 1

    def sync(self, source: Source, *, crash_after: int | None = None) -> None:
        """Run one sync; with ``crash_after`` stop after reading that many pages, losing the
        last one (records read, cursor never committed), as a killed process would."""
        for read, page in enumerate(source.pull(self.cursor), start=1):
            if crash_after is not None and read == crash_after:
                return
            self.apply(page)

    def live(self, kind: str) -> dict[str, Any]:
        """Records of one kind that are not deleted, by external id."""
        return {k[2]: r for k, r in self.records.items() if k[0] == kind and not r.deleted}


WORKER = Path(__file__).with_name("sync_worker.py")


def run_worker_until_killed(connector: str, state: Path, env: dict[str, str], *, pages: int) -> int:
    """Start ``sync_worker.py`` as a real process and SIGKILL it once ``pages`` pages are
    committed; return how many it had committed."""
    state.mkdir(parents=True, exist_ok=True)
    root = str(Path(__file__).resolve().parents[2])
    process_env = {**os.environ, **env, "PYTHONPATH": root}
    process = subprocess.Popen(
        [sys.executable, str(WORKER), connector, str(state)], env=process_env, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while committed_pages(state) < pages:
            if process.poll() is not None:
                raise AssertionError(f"worker ended before the kill: {process.stderr.read().decode()}")  # type: ignore[union-attr]
            if time.monotonic() > deadline:
                raise AssertionError("worker made no progress")
            time.sleep(0.01)
        process.kill()
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
        if process.stderr is not None:
            process.stderr.close()
    return committed_pages(state)


def committed_pages(state: Path) -> int:
    """Pages the worker committed (its cursor file counts them)."""
    cursor_file = state / "cursor.json"
    return json.loads(cursor_file.read_text())["pages"] if cursor_file.exists() else 0


def load_worker_profile(state: Path) -> Profile:
    """The profile a killed worker left behind: committed records and cursor only."""
    from pydantic import TypeAdapter

    from connectors.core.records import Record

    adapter: TypeAdapter[Any] = TypeAdapter(cast(Any, Record))
    profile = Profile()
    saved = json.loads((state / "cursor.json").read_text())
    lines = (state / "records.jsonl").read_text().splitlines()[: saved["records"]]
    for line in lines:
        record = adapter.validate_json(line)
        profile.records[record.key] = record
    profile.cursor = saved["cursor"]
    return profile


def drain(iterator: Iterator[Page]) -> list[Page]:
    """All pages of a pull."""
    return list(iterator)
