"""Salesforce connector against the HTTPS emulator, through simple-salesforce."""

from __future__ import annotations

from collections.abc import Iterator
from math import ceil
from pathlib import Path
from typing import Any

import pytest

from connectors.core.emulator import run_emulator
from connectors.salesforce.client import ApiBudgetExceededError
from connectors.salesforce.emulator import SalesforceEmulator, tls_files
from connectors.salesforce.settings import SalesforceSettings
from connectors.salesforce.source import SalesforceSource
from tests.connectors.factories import (
    OWNERS,
    Profile,
    companies,
    contacts,
    deals,
    load_worker_profile,
    run_worker_until_killed,
)

ACCOUNTS = 4_300


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    return tls_files(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def org(certificate) -> Iterator[tuple[SalesforceEmulator, str]]:
    emulator = SalesforceEmulator()
    emulator.seed(users=OWNERS, accounts=companies(ACCOUNTS), contacts=contacts(50), opportunities=deals(30))
    emulator.gate.faults.timeout_delay_seconds = 1.0
    cert, key = certificate
    with run_emulator(emulator.app, ssl_certfile=cert, ssl_keyfile=key) as url:
        yield emulator, url


def make_source(url: str, cert: str, **overrides: Any) -> SalesforceSource:
    settings = SalesforceSettings(
        instance_url=url,
        token="00Demulator!session",
        ca_bundle=cert,
        backoff_seconds=0.01,
        max_backoff_seconds=0.05,
        bulk_poll_seconds=0,
        **overrides,
    )
    return SalesforceSource(settings)


def assert_matches_org(profile: Profile, emulator: SalesforceEmulator) -> None:
    """Every live record is in the profile with its current name; deleted ones are not live."""
    for kind, sobject in (
        ("person", "User"),
        ("account", "Account"),
        ("contact", "Contact"),
        ("deal", "Opportunity"),
    ):
        assert set(profile.live(kind)) == set(emulator.live(sobject)), kind
    accounts = profile.live("account")
    assert {rid: a["Name"] for rid, a in emulator.live("Account").items()} == {
        rid: r.name for rid, r in accounts.items()
    }


def test_full_sync_pages_soql_batches_at_the_minimum(org, certificate):
    emulator, url = org
    source = make_source(url, certificate[0])
    profile = Profile()
    profile.sync(source)

    assert_matches_org(profile, emulator)
    account = next(iter(profile.live("account").values()))
    assert account.owner_email in {o["email"] for o in OWNERS}
    assert account.domain
    assert account.other_ids["stripe_customer_id"].startswith("cus_demo")
    assert next(iter(profile.live("deal").values())).is_renewal
    assert source.stats.calls == 1 + ceil(ACCOUNTS / 2000) + 1 + 1
    assert source.api.used == emulator.api_usage  # read back from Sforce-Limit-Info


def test_incremental_sync_picks_up_creates_updates_and_deletes(org, certificate):
    emulator, url = org
    source = make_source(url, certificate[0])
    profile = Profile()
    profile.sync(source)
    ids = list(emulator.live("Account"))
    emulator.update("Account", ids[0], {"Name": "Renamed Corp"})
    emulator.delete("Account", ids[1])
    created = emulator.create("Account", {"Name": "Fresh Start Inc", "Website": "https://www.fresh.example"})
    calls_before = source.stats.calls

    profile.sync(source)

    assert_matches_org(profile, emulator)
    assert profile.records[("account", "salesforce", ids[1])].deleted
    assert profile.live("account")[created].domain == "fresh.example"
    assert source.stats.calls - calls_before == 4  # one queryAll per object


def test_large_initial_load_uses_bulk_api_and_resumes_mid_job(org, certificate):
    emulator, url = org
    profile = Profile()
    bulk = {"bulk_threshold": 1000, "bulk_page_size": 1000}
    profile.sync(make_source(url, certificate[0], **bulk), crash_after=4)
    assert profile.cursor is not None
    assert profile.cursor["bulk"]["locator"]
    profile.sync(make_source(url, certificate[0], **bulk))

    assert_matches_org(profile, emulator)
    assert emulator.gate.calls_by_path.get("/services/data/v59.0/jobs/query") == 1
    emulator.update("Account", next(iter(emulator.live("Account"))), {"Name": "After Bulk"})
    profile.sync(make_source(url, certificate[0], **bulk))
    assert_matches_org(profile, emulator)


def test_resume_after_crash_has_no_gaps_or_duplicates(org, certificate):
    emulator, url = org
    profile = Profile()
    profile.sync(make_source(url, certificate[0]), crash_after=3)
    emulator.update("Account", list(emulator.live("Account"))[10], {"Name": "Changed While Down"})
    profile.sync(make_source(url, certificate[0]))
    profile.sync(make_source(url, certificate[0]))
    assert_matches_org(profile, emulator)


def test_killed_process_resumes_from_its_committed_cursor(org, certificate, tmp_path: Path):
    emulator, url = org
    env = {
        "NUDGE_SALESFORCE_INSTANCE_URL": url,
        "NUDGE_SALESFORCE_TOKEN": "00Demulator!session",
        "NUDGE_SALESFORCE_CA_BUNDLE": certificate[0],
    }
    emulator.gate.faults.timeout_delay_seconds = 0.3
    emulator.gate.faults.timeouts_next = 50  # every answer slow: the kill lands mid-sync
    committed = run_worker_until_killed("salesforce", tmp_path, env, pages=2)
    emulator.gate.faults.timeouts_next = 0
    profile = load_worker_profile(tmp_path)
    assert 2 <= committed < 6

    profile.sync(make_source(url, certificate[0]))

    assert_matches_org(profile, emulator)


def test_daily_api_budget_stops_cleanly_and_resumes(org, certificate):
    emulator, url = org
    emulator.api_usage = 9_000
    emulator.daily_api_limit = 10_000
    profile = Profile()
    with pytest.raises(ApiBudgetExceededError, match=r"org usage 9002/10000, Nudge budget 9002"):
        profile.sync(make_source(url, certificate[0], daily_api_budget=9_002))
    assert profile.cursor is not None
    assert profile.cursor["stage"] == "Account"

    profile.sync(make_source(url, certificate[0], max_api_usage_percent=95))
    assert_matches_org(profile, emulator)


def test_429_storm_timeouts_and_5xx_lose_nothing(org, certificate):
    emulator, url = org
    faults = emulator.gate.faults
    faults.retry_after_seconds = 0
    faults.throttle_next, faults.server_errors_next, faults.timeouts_next, faults.malformed_next = 5, 2, 1, 1
    source = make_source(url, certificate[0], timeout_seconds=0.5, max_attempts=12)
    profile = Profile()
    profile.sync(source)

    assert_matches_org(profile, emulator)
    assert source.stats.throttled == 5
    # One retry per injected fault; a loaded machine may add a genuine timeout or two.
    assert source.stats.retries >= 9
