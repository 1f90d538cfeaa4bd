"""Stripe connector against the emulator, through the official stripe library."""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal
from math import ceil
from pathlib import Path
from typing import Any

import pytest

from connectors.core.emulator import run_emulator
from connectors.stripe.emulator import StripeEmulator
from connectors.stripe.settings import StripeSettings
from connectors.stripe.source import StripeSource
from tests.connectors.factories import (
    Profile,
    companies,
    invoices,
    load_worker_profile,
    run_worker_until_killed,
)

CUSTOMERS, INVOICES = 60, 450


@pytest.fixture
def account() -> Iterator[tuple[StripeEmulator, str]]:
    emulator = StripeEmulator()
    customers = [
        {"id": c["stripe_customer_id"], "name": c["name"], "email": f"billing@{c['domain']}"}
        for c in companies(CUSTOMERS)
    ]
    emulator.seed(customers=customers, invoices=invoices(INVOICES, CUSTOMERS))
    first = next(iter(emulator.live("invoices")))
    emulator.seed(credit_notes=[{"invoice": first, "amount": 100, "reason": "order_change"}])
    emulator.gate.faults.timeout_delay_seconds = 1.0
    with run_emulator(emulator.app) as url:
        yield emulator, url


def make_source(url: str, **overrides: Any) -> StripeSource:
    settings = StripeSettings(
        api_key="sk_test_emulator",
        base_url=url,
        rate_limit_requests=1000,
        backoff_seconds=0.01,
        max_backoff_seconds=0.05,
        **overrides,
    )
    return StripeSource(settings)


def assert_matches_account(profile: Profile, emulator: StripeEmulator) -> None:
    """Customers, invoices (with balances and status) and credit notes equal Stripe's."""
    assert set(profile.live("account")) == set(emulator.live("customers"))
    assert set(profile.live("invoice")) == set(emulator.live("invoices"))
    assert set(profile.live("credit_note")) == set(emulator.live("credit_notes"))
    records = profile.live("invoice")
    for invoice_id, invoice in emulator.live("invoices").items():
        record = records[invoice_id]
        assert (record.status, record.amount_remaining * 100) == (
            invoice["status"],
            invoice["amount_remaining"],
        )


def test_full_sync_lists_everything_at_the_minimum_page_count(account):
    emulator, url = account
    source = make_source(url)
    profile = Profile()
    profile.sync(source)

    assert_matches_account(profile, emulator)
    paid = next(r for r in profile.live("invoice").values() if r.status == "paid")
    assert paid.paid_at is not None
    assert paid.amount_paid == paid.total
    assert paid.amount_remaining == 0
    partial = next(r for r in profile.live("invoice").values() if r.status == "open" and r.amount_paid)
    assert partial.amount_paid == Decimal("300")
    assert partial.amount_remaining == partial.total - 300
    assert profile.live("payment")[f"{paid.external_id}:paid"].amount == paid.amount_paid
    assert profile.cursor is not None
    assert profile.cursor["phase"] == "incremental"
    assert profile.cursor["last_event"] is None
    # one anchor lookup + ceil(n/100) pages for customers, invoices and credit notes
    assert source.stats.calls == 1 + ceil(CUSTOMERS / 100) + ceil(INVOICES / 100) + 1


def test_incremental_sync_applies_events(account):
    emulator, url = account
    source = make_source(url)
    profile = Profile()
    profile.sync(source)
    open_ids = [i for i, inv in emulator.live("invoices").items() if inv["status"] == "open"]
    emulator.pay_invoice(open_ids[0])
    emulator.pay_invoice(open_ids[1], amount=100)
    emulator.void_invoice(open_ids[2])
    emulator.delete_customer("cus_demo0005")
    new_customer = emulator.create_customer(name="Globex", email="ap@globex.example")
    new_invoice = emulator.create_invoice(
        customer=new_customer, number="GX-1", total=990, due_date="2026-12-31"
    )
    emulator.create_credit_note(invoice=new_invoice, amount=90, reason="duplicate")
    calls_before = source.stats.calls

    profile.sync(source)

    assert profile.records[("account", "stripe", "cus_demo0005")].deleted
    assert profile.live("invoice")[open_ids[0]].status == "paid"
    assert profile.live("invoice")[open_ids[2]].voided
    assert profile.live("invoice")[new_invoice].amount_remaining == Decimal("900")
    assert profile.live("account")[new_customer].name == "Globex"
    assert_matches_account(profile, emulator)
    assert source.stats.calls - calls_before == 1  # one page of events

    emulator.pay_invoice(open_ids[3])
    profile.sync(source)
    assert profile.live("invoice")[open_ids[3]].status == "paid"


def test_many_events_are_applied_page_by_page_in_order(account):
    emulator, url = account
    source = make_source(url)
    profile = Profile()
    profile.sync(source)
    emulator.pay_invoice(next(iter(emulator.live("invoices"))))  # gives the cursor an event anchor
    profile.sync(source)
    open_ids = [i for i, inv in emulator.live("invoices").items() if inv["status"] == "open"]
    for invoice_id in open_ids[:250]:
        emulator.pay_invoice(invoice_id, amount=1)
    for invoice_id in open_ids[:250]:
        emulator.pay_invoice(invoice_id)
    calls_before = source.stats.calls

    profile.sync(source)

    records = profile.live("invoice")
    assert all(records[i].status == "paid" for i in open_ids[:250])
    assert source.stats.calls - calls_before == ceil(500 / 100)


def test_cursor_older_than_event_retention_falls_back_to_a_full_list(account):
    emulator, url = account
    source = make_source(url)
    stale = {"phase": "incremental", "last_event": None, "since": int(time.time()) - 31 * 24 * 3600}
    profile = Profile(cursor=stale)
    profile.sync(source)
    assert_matches_account(profile, emulator)


def test_resume_after_crash_mid_list_and_mid_events(account):
    emulator, url = account
    profile = Profile()
    profile.sync(make_source(url), crash_after=3)
    assert profile.cursor is not None
    assert profile.cursor["phase"] == "full"
    profile.sync(make_source(url))
    emulator.pay_invoice(next(iter(emulator.live("invoices"))))
    profile.sync(make_source(url))
    open_ids = [i for i, inv in emulator.live("invoices").items() if inv["status"] == "open"]
    for invoice_id in open_ids[:230]:
        emulator.pay_invoice(invoice_id)

    profile.sync(make_source(url), crash_after=2)
    profile.sync(make_source(url))

    assert_matches_account(profile, emulator)


def test_killed_process_resumes_from_its_committed_cursor(account, tmp_path: Path):
    emulator, url = account
    env = {
        "NUDGE_STRIPE_API_KEY": "sk_test_emulator",
        "NUDGE_STRIPE_BASE_URL": url,
        "NUDGE_STRIPE_RATE_LIMIT_REQUESTS": "2",
        "NUDGE_STRIPE_RATE_LIMIT_WINDOW_SECONDS": "0.5",
    }
    committed = run_worker_until_killed("stripe", tmp_path, env, pages=2)
    profile = load_worker_profile(tmp_path)
    assert 2 <= committed < 6

    profile.sync(make_source(url))

    assert_matches_account(profile, emulator)


def test_429_storm_timeouts_and_5xx_lose_nothing(account):
    emulator, url = account
    faults = emulator.gate.faults
    faults.retry_after_seconds = 0
    faults.throttle_next, faults.server_errors_next, faults.timeouts_next, faults.malformed_next = 5, 2, 1, 1
    source = make_source(url, timeout_seconds=0.3, max_attempts=12)
    profile = Profile()
    profile.sync(source)

    assert_matches_account(profile, emulator)
    assert source.stats.throttled == 5
    # One retry per injected fault; a loaded machine may add a genuine timeout or two.
    assert source.stats.retries >= 9
