"""HubSpot connector against the emulator, through the official hubspot-api-client."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from math import ceil
from pathlib import Path
from typing import Any

import pytest

from connectors.core.calls import VendorError
from connectors.core.emulator import run_emulator
from connectors.core.records import ContactRecord
from connectors.hubspot.emulator import HubSpotEmulator
from connectors.hubspot.settings import HubSpotSettings
from connectors.hubspot.source import HubSpotSource
from tests.connectors.factories import (
    OWNERS,
    Profile,
    companies,
    contacts,
    deals,
    load_worker_profile,
    run_worker_until_killed,
)

COMPANIES, CONTACTS, DEALS = 230, 120, 40


@pytest.fixture
def portal() -> Iterator[tuple[HubSpotEmulator, str]]:
    emulator = HubSpotEmulator()
    emulator.seed(
        owners=OWNERS, companies=companies(COMPANIES), contacts=contacts(CONTACTS), deals=deals(DEALS)
    )
    emulator.gate.faults.timeout_delay_seconds = 1.0
    with run_emulator(emulator.app) as url:
        yield emulator, url


def make_source(url: str, **overrides: Any) -> HubSpotSource:
    settings = HubSpotSettings(
        token="emulator-token",
        base_url=url,
        search_lag_seconds=0,
        backoff_seconds=0.01,
        max_backoff_seconds=0.05,
        **overrides,
    )
    return HubSpotSource(settings)


def assert_matches_portal(profile: Profile, emulator: HubSpotEmulator) -> None:
    """Every live object is in the profile with its current name, and nothing else is."""
    for kind, object_type in (("account", "companies"), ("contact", "contacts"), ("deal", "deals")):
        truth = emulator.live(object_type)
        assert set(profile.live(kind)) == {str(i) for i in truth}, kind
    accounts = profile.live("account")
    assert {str(oid): c["properties"]["name"] for oid, c in emulator.live("companies").items()} == {
        oid: r.name for oid, r in accounts.items()
    }


def test_full_sync_reads_every_object_at_the_minimum_page_count(portal):
    emulator, url = portal
    source = make_source(url)
    profile = Profile()
    profile.sync(source)

    assert_matches_portal(profile, emulator)
    account = next(r for r in profile.live("account").values() if r.other_ids)
    assert account.owner_email in {o["email"] for o in OWNERS}
    assert account.other_ids["stripe_customer_id"].startswith("cus_demo")
    contact = next(iter(profile.live("contact").values()))
    assert contact.account_external_ids
    assert contact.account_external_ids[0] in profile.live("account")
    renewal = next(iter(profile.live("deal").values()))
    assert renewal.is_renewal
    assert renewal.amount is not None
    # one owners page + ceil(n/100) list pages per object type, nothing else
    assert source.stats.calls == 1 + ceil(COMPANIES / 100) + ceil(CONTACTS / 100) + ceil(DEALS / 100)


def test_incremental_sync_picks_up_creates_updates_and_deletes(portal):
    emulator, url = portal
    source = make_source(url)
    profile = Profile()
    profile.sync(source)
    ids = list(emulator.live("companies"))
    emulator.update("companies", ids[0], {"name": "Renamed Holdings"})
    emulator.archive("companies", ids[1])
    created = emulator.create("companies", {"name": "Brand New Ltd", "domain": "brandnew.example"})
    contact = emulator.create("contacts", {"email": "new@brandnew.example"})
    emulator.associate("contacts", contact, "companies", created)
    calls_before = source.stats.calls

    profile.sync(source)

    assert_matches_portal(profile, emulator)
    assert profile.live("account")[str(ids[0])].name == "Renamed Holdings"
    assert profile.records[("account", "hubspot", str(ids[1]))].deleted
    assert profile.live("contact")[str(contact)].account_external_ids == (str(created),)
    # owners, 3 searches, 1 association batch read, 3 archived lists: no full re-list
    assert source.stats.calls - calls_before == 8


def one_change_per_ms() -> Callable[[], int]:
    """The wall clock in epoch ms, moved on by at least 1 ms per change."""
    last = [0]

    def tick() -> int:
        last[0] = max(int(time.time() * 1000), last[0] + 1)
        return last[0]

    return tick


def test_search_window_narrows_past_the_result_cap(portal):
    emulator, url = portal
    emulator.search_result_cap = 300
    # one change per millisecond: on a fast machine over 100 of a burst could share one
    # millisecond, a window no client can narrow under a cap of 300 (HubSpot's is 10,000)
    emulator.clock = one_change_per_ms()
    source = make_source(url)
    profile = Profile()
    profile.sync(source)
    changed = list(emulator.live("companies"))[:220]
    for oid in changed:
        emulator.update("companies", oid, {"name": f"Changed {oid}"})
    # a second burst after a pause gives the window two distinct timestamps to narrow on
    for oid in list(emulator.live("companies"))[220:]:
        emulator.update("companies", oid, {"name": f"Changed {oid}"})

    profile.sync(source)

    accounts = profile.live("account")
    assert all(accounts[str(oid)].name == f"Changed {oid}" for oid in emulator.live("companies"))


def test_resume_after_crash_has_no_gaps_or_duplicates(portal):
    emulator, url = portal
    profile = Profile()
    profile.sync(make_source(url), crash_after=3)
    assert profile.cursor is not None
    assert profile.cursor["phase"] == "full"
    emulator.update("companies", next(iter(emulator.live("companies"))), {"name": "Changed While Down"})

    profile.sync(make_source(url))
    profile.sync(make_source(url))

    assert_matches_portal(profile, emulator)


def test_killed_process_resumes_from_its_committed_cursor(portal, tmp_path: Path):
    emulator, url = portal
    env = {
        "NUDGE_HUBSPOT_TOKEN": "emulator-token",
        "NUDGE_HUBSPOT_BASE_URL": url,
        "NUDGE_HUBSPOT_SEARCH_LAG_SECONDS": "0",
        # slow enough that the kill lands mid-sync
        "NUDGE_HUBSPOT_RATE_LIMIT_REQUESTS": "2",
        "NUDGE_HUBSPOT_RATE_LIMIT_WINDOW_SECONDS": "0.5",
    }
    committed = run_worker_until_killed("hubspot", tmp_path, env, pages=3)
    profile = load_worker_profile(tmp_path)
    assert 3 <= committed < 6
    assert profile.cursor is not None

    profile.sync(make_source(url))

    assert_matches_portal(profile, emulator)


def test_429_storm_and_server_errors_lose_nothing(portal):
    emulator, url = portal
    emulator.gate.faults.retry_after_seconds = 0
    emulator.gate.faults.throttle_next = 6
    emulator.gate.faults.server_errors_next = 3
    emulator.gate.faults.timeouts_next = 1
    emulator.gate.faults.malformed_next = 1
    source = make_source(url, timeout_seconds=0.3, max_attempts=12)
    profile = Profile()
    profile.sync(source)

    assert_matches_portal(profile, emulator)
    assert source.stats.throttled == 6
    # One retry per injected fault; a loaded machine may add a genuine timeout or two.
    assert source.stats.retries >= 11


def test_rate_limit_is_respected_without_a_single_429(portal):
    emulator, url = portal
    emulator.gate.set_rate_limit(4, window_seconds=0.4)
    source = make_source(url, rate_limit_requests=4, rate_limit_window_seconds=0.45)
    profile = Profile()
    profile.sync(source)

    assert_matches_portal(profile, emulator)
    assert source.stats.throttled == 0


def test_persistent_outage_ends_with_a_clear_error(portal):
    emulator, url = portal
    emulator.gate.faults.server_errors_next = 50
    source = make_source(url, max_attempts=3)
    with pytest.raises(VendorError, match="hubspot: gave up after 3 attempts"):
        Profile().sync(source)


def test_webhook_ids_are_looked_up_by_batch_read(portal):
    emulator, url = portal
    source = make_source(url)
    ids = [str(oid) for oid in list(emulator.live("contacts"))[:150]]
    emulator.update("contacts", int(ids[0]), {"jobtitle": "Controller"})

    records = [r for r in source.lookup("contacts", ids) if isinstance(r, ContactRecord)]

    assert sorted(r.external_id for r in records) == sorted(ids)
    assert next(r for r in records if r.external_id == ids[0]).title == "Controller"
    assert all(r.account_external_ids for r in records)
    # two batch reads of 100 + two association batch reads
    assert source.stats.calls == 4
