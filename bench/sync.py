"""Sync cost against the vendor emulators, through the official client libraries.

    python bench/sync.py --scale small|full      (tiny is for the test suite)

Full scale seeds 100,000 HubSpot companies, 20,000 Salesforce accounts and 500,000 Stripe
invoices, then measures:

* ``ratio``: API calls of the full syncs / the minimum their page sizes allow, i.e. the sum
  over object types of max(1, ceil(n / page size)) (target <= 1.05);
* ``incremental_ratio``: calls of an incremental re-sync after 1 % of the records changed /
  calls of the full syncs (target <= 0.03);
* ``rate_ratio``: requests the HubSpot emulator received in N consecutive windows / the
  N x max_calls its rolling-window limit allows, with the connector at the same tier
  (target >= 0.9); ``throttled_429`` the 429s received meanwhile.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import ExitStack
from math import ceil
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connectors.core.emulator import run_emulator
from connectors.core.protocols import Cursor, Source
from connectors.hubspot.emulator import HubSpotEmulator
from connectors.hubspot.settings import HubSpotSettings
from connectors.hubspot.source import HubSpotSource
from connectors.salesforce.emulator import SalesforceEmulator, tls_files
from connectors.salesforce.settings import SalesforceSettings
from connectors.salesforce.source import SalesforceSource
from connectors.stripe.emulator import StripeEmulator
from connectors.stripe.settings import StripeSettings
from connectors.stripe.source import StripeSource

# (HubSpot companies, Salesforce accounts, Stripe invoices, rate-limit tier (calls, seconds, windows))
SCALES: dict[str, tuple[int, int, int, tuple[int, float, int]]] = {
    "tiny": (1_000, 500, 2_000, (5, 0.5, 3)),
    "small": (10_000, 4_000, 50_000, (10, 1.0, 5)),
    "full": (100_000, 20_000, 500_000, (100, 10.0, 3)),
}
OWNERS = [{"email": f"csm{i}@nudge.dev", "first_name": "Csm", "last_name": str(i)} for i in range(20)]
TARGET, INCREMENTAL_TARGET, RATE_TARGET = 1.05, 0.03, 0.9
CHANGED = 0.01


def seed(
    companies: int, accounts: int, invoices: int
) -> tuple[HubSpotEmulator, SalesforceEmulator, StripeEmulator]:
    """Emulators loaded in memory (no HTTP) with the three books."""
    hubspot = HubSpotEmulator()
    hubspot.seed(
        owners=OWNERS,
        companies=(
            {
                "name": f"Company {i}",
                "domain": f"c{i}.example",
                "owner_email": OWNERS[i % 20]["email"],
                "stripe_customer_id": f"cus_{i:07d}",
            }
            for i in range(companies)
        ),
    )
    salesforce = SalesforceEmulator()
    salesforce.seed(
        users=OWNERS,
        accounts=(
            {"name": f"Account {i}", "domain": f"a{i}.example", "owner_email": OWNERS[i % 20]["email"]}
            for i in range(accounts)
        ),
    )
    stripe = StripeEmulator()
    customers = max(1, invoices // 100)
    stripe.seed(
        customers=(
            {"id": f"cus_{i:07d}", "name": f"Company {i}", "email": f"ap@c{i}.example"}
            for i in range(customers)
        ),
        invoices=(
            {
                "customer": f"cus_{i % customers:07d}",
                "number": f"INV-{i}",
                "total": 100 + i % 900,
                "issue_date": "2026-09-01",
                "due_date": "2026-10-01",
                "status": "open",
            }
            for i in range(invoices)
        ),
    )
    return hubspot, salesforce, stripe


def minimum_calls(counts: dict[str, tuple[int, int]]) -> int:
    """Sum over object types of max(1, ceil(n / page size)): even an empty type costs a request."""
    return sum(max(1, ceil(n / page)) for n, page in counts.values())


def sync(source: Source, since: Cursor | None) -> tuple[Cursor | None, int, int, float]:
    """Run one sync; return (cursor, records, calls, seconds)."""
    calls, started, records, cursor = source.stats.calls, time.perf_counter(), 0, since
    for page in source.pull(since):
        records += len(page.records)
        cursor = page.cursor
    return cursor, records, source.stats.calls - calls, time.perf_counter() - started


def change_one_percent(
    hubspot: HubSpotEmulator, salesforce: SalesforceEmulator, stripe: StripeEmulator
) -> dict[str, int]:
    """Update 1 % of each book (a tenth of the CRM share as deletions); return counts."""
    company_ids = list(hubspot.objects["companies"])
    step = int(1 / CHANGED)
    for n, oid in enumerate(company_ids[::step]):
        if n % 10 == 0:
            hubspot.archive("companies", oid)
        else:
            hubspot.update("companies", oid, {"name": f"Changed {oid}"})
    account_ids = list(salesforce.records["Account"])
    for n, rid in enumerate(account_ids[::step]):
        if n % 10 == 0:
            salesforce.delete("Account", rid)
        else:
            salesforce.update("Account", rid, {"Name": f"Changed {rid}"})
    invoice_ids = list(stripe.data["invoices"].order)
    for iid in invoice_ids[::step]:
        stripe.pay_invoice(iid)
    return {
        "hubspot": len(company_ids[::step]),
        "salesforce": len(account_ids[::step]),
        "stripe": len(invoice_ids[::step]),
    }


def rate_phase(hubspot: HubSpotEmulator, url: str, tier: tuple[int, float, int]) -> dict[str, Any]:
    """A HubSpot full sync under a rolling-window limit on both sides: the share of the
    allowed requests (``max_calls`` per window) that reached the vendor in ``windows``
    consecutive windows from the first request, measured where the vendor sees them."""
    max_calls, window, windows = tier
    hubspot.gate.set_rate_limit(max_calls, window)
    hubspot.gate.arrivals = []
    settings = HubSpotSettings(
        token=hubspot.token, base_url=url, rate_limit_requests=max_calls, rate_limit_window_seconds=window
    )
    source = HubSpotSource(settings)
    wanted = max_calls * (windows + 1)  # run past the measured windows
    while source.stats.calls < wanted:  # re-list from the start until enough windows passed
        for _page in source.pull(None):
            if source.stats.calls >= wanted:
                break
    arrivals, hubspot.gate.arrivals = hubspot.gate.arrivals, None
    hubspot.gate.set_rate_limit(None)
    in_windows = sum(1 for t in arrivals if t - arrivals[0] < windows * window)
    allowed = max_calls * windows
    return {
        "rate_ratio": round(in_windows / allowed, 3),
        "rate_target": RATE_TARGET,
        "rate_allowed_per_s": max_calls / window,
        "rate_calls_in_windows": in_windows,
        "rate_allowed_in_windows": allowed,
        "throttled_429": source.stats.throttled,
    }


def run(scale: str) -> dict[str, Any]:
    companies, accounts, invoices, tier = SCALES[scale]
    wall = time.perf_counter()
    print(f"seeding {companies:,} companies, {accounts:,} accounts, {invoices:,} invoices", flush=True)
    hubspot, salesforce, stripe = seed(companies, accounts, invoices)
    seeded = time.perf_counter() - wall
    cert, key = tls_files()
    with ExitStack() as stack:
        hs_url = stack.enter_context(run_emulator(hubspot.app))
        sf_url = stack.enter_context(run_emulator(salesforce.app, ssl_certfile=cert, ssl_keyfile=key))
        st_url = stack.enter_context(run_emulator(stripe.app))
        sources: dict[str, Source] = {
            "hubspot": HubSpotSource(
                HubSpotSettings(
                    token=hubspot.token, base_url=hs_url, search_lag_seconds=0, rate_limit_requests=100_000
                )
            ),
            "salesforce": SalesforceSource(
                SalesforceSettings(instance_url=sf_url, token=salesforce.session_id, ca_bundle=cert)
            ),
            "stripe": StripeSource(
                StripeSettings(api_key=stripe.api_key, base_url=st_url, rate_limit_requests=100_000)
            ),
        }
        minimum = {
            "hubspot": minimum_calls(
                {
                    "owners": (len(OWNERS), 500),
                    "companies": (companies, 100),
                    "contacts": (0, 100),
                    "deals": (0, 100),
                }
            ),
            "salesforce": minimum_calls(
                {
                    "User": (len(OWNERS), 2000),
                    "Account": (accounts, 2000),
                    "Contact": (0, 2000),
                    "Opportunity": (0, 2000),
                }
            ),
            "stripe": minimum_calls(
                {
                    "customers": (max(1, invoices // 100), 100),
                    "invoices": (invoices, 100),
                    "credit_notes": (0, 100),
                }
            ),
        }
        full: dict[str, dict[str, Any]] = {}
        cursors: dict[str, Cursor | None] = {}
        for name, source in sources.items():
            print(f"full sync: {name}", flush=True)
            cursors[name], records, calls, seconds = sync(source, None)
            full[name] = {
                "records": records,
                "calls": calls,
                "minimum": minimum[name],
                "ratio": round(calls / minimum[name], 4),
                "seconds": round(seconds, 1),
            }
            print(
                f"  {records:,} records, {calls:,} calls (minimum {minimum[name]:,}) in {seconds:.1f}s",
                flush=True,
            )
        changed = change_one_percent(hubspot, salesforce, stripe)
        incremental: dict[str, dict[str, Any]] = {}
        for name, source in sources.items():
            print(f"incremental sync after 1% changed: {name}", flush=True)
            _, records, calls, seconds = sync(source, cursors[name])
            incremental[name] = {
                "changed": changed[name],
                "records": records,
                "calls": calls,
                "ratio_to_full": round(calls / full[name]["calls"], 4),
                "seconds": round(seconds, 2),
            }
            print(f"  {records:,} records, {calls:,} calls in {seconds:.2f}s", flush=True)
        print(f"rate-limited HubSpot sync at {tier[0]} calls / {tier[1]:g} s", flush=True)
        rate = rate_phase(hubspot, hs_url, tier)
    full_calls = sum(f["calls"] for f in full.values())
    incremental_calls = sum(i["calls"] for i in incremental.values())
    return {
        "bench": "sync",
        "scale": scale,
        "ratio": round(full_calls / sum(minimum.values()), 4),
        "target": TARGET,
        "full_calls": full_calls,
        "minimum_calls": sum(minimum.values()),
        "incremental_ratio": round(incremental_calls / full_calls, 4),
        "incremental_target": INCREMENTAL_TARGET,
        "incremental_calls": incremental_calls,
        **rate,
        "full": full,
        "incremental": incremental,
        "seed_seconds": round(seeded, 1),
        "wall_seconds": round(time.perf_counter() - wall, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    result = run(parser.parse_args(argv).scale)
    print(json.dumps(result))
    ok = (
        result["ratio"] <= TARGET
        and result["incremental_ratio"] <= INCREMENTAL_TARGET
        and result["rate_ratio"] >= RATE_TARGET
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
