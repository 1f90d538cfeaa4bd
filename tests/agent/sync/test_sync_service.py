"""run_sync against the real connectors and their emulators, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from agent.db.database import Database
from agent.profile.tables import Account, Contact, CrmSignal, Invoice, Payment, Person
from agent.sync.service import run_sync
from agent.sync.tables import SyncRun
from connectors.emulators import LocalVendors, run_local_vendors
from tests.agent.sync import factories


@pytest.fixture
def vendors() -> Iterator[LocalVendors]:
    """HubSpot, Salesforce and Stripe emulators seeded with the same three customers."""
    with run_local_vendors(
        hubspot=factories.hubspot(), salesforce=factories.salesforce(), stripe=factories.stripe()
    ) as running:
        yield running


def sync_all(database: Database, vendors: LocalVendors) -> list[SyncRun]:
    sources = vendors.sources()
    return [
        run_sync(database=database, source_name=n, source=sources[n])
        for n in ("hubspot", "salesforce", "stripe")
    ]


def latest_signal(database: Database, account: str, kind: str) -> str | None:
    with database.sessions() as session:
        return session.scalars(
            select(CrmSignal.value)
            .join(Account, Account.id == CrmSignal.account_id)
            .where(Account.name == account, CrmSignal.kind == kind)
            .order_by(CrmSignal.id.desc())
        ).first()


def test_full_sync_joins_crm_owners_and_stripe_invoices(database: Database, vendors: LocalVendors) -> None:
    runs = sync_all(database, vendors)
    assert [r.status for r in runs] == ["ok", "ok", "ok"]
    assert all(r.api_calls > 0 and r.records_read > 0 for r in runs)
    with database.sessions() as session:
        accounts = {a.name: a for a in session.scalars(select(Account))}
        assert set(accounts) == {"Northwind Logistics", "Globex GmbH", "Initech"}
        assert {n: a.owner.email for n, a in accounts.items() if a.owner} == {
            "Northwind Logistics": "maya.chen@nudge.example",
            "Globex GmbH": "omar.haddad@nudge.example",
            "Initech": "maya.chen@nudge.example",
        }
        assert accounts["Globex GmbH"].currency == "EUR"
        assert session.scalar(select(func.count(Invoice.id))) == 30
        assert session.scalar(select(func.count(Payment.id))) == 10
        assert factories.profile_balances(session) == factories.open_balances(vendors.emulators["stripe"])
        assert session.scalars(select(Contact.name)).all() == ["Ana Ruiz"]
        assert session.scalar(select(func.count(Person.id))) == 3  # two HubSpot owners, one Salesforce user
    assert latest_signal(database, "Northwind Logistics", "open_deals") == "2"
    assert latest_signal(database, "Northwind Logistics", "renewal_date") == "2027-03-01"


def test_incremental_sync_picks_up_creates_updates_and_deletes(
    database: Database, vendors: LocalVendors
) -> None:
    sync_all(database, vendors)
    stripe, hubspot = vendors.emulators["stripe"], vendors.emulators["hubspot"]
    assert stripe is not None
    assert hubspot is not None
    new = stripe.create_invoice(
        customer="cus_globex",
        number="INV-NEW",
        currency="eur",
        total=777,
        issue_date="2026-10-01",
        due_date="2026-10-31",
    )
    stripe.pay_invoice("in_0001")
    stripe.void_invoice("in_0002")
    northwind = next(
        i for i, c in hubspot.live("companies").items() if c["properties"]["name"] == "Northwind Logistics"
    )
    initech = next(i for i, c in hubspot.live("companies").items() if c["properties"]["name"] == "Initech")
    hubspot.update("companies", northwind, {"name": "Northwind Logistics Group"})
    hubspot.archive("companies", initech)
    sources = vendors.sources()
    hub_run = run_sync(database=database, source_name="hubspot", source=sources["hubspot"])
    stripe_run = run_sync(database=database, source_name="stripe", source=sources["stripe"])
    assert (hub_run.status, stripe_run.status) == ("ok", "ok")
    assert stripe_run.api_calls <= 3  # events since the last sync, not a re-list
    with database.sessions() as session:
        status = dict(session.execute(select(Invoice.external_id, Invoice.status)).tuples().all())
        assert (status[new], status["in_0001"], status["in_0002"]) == ("open", "paid", "void")
        names = set(session.scalars(select(Account.name)))
        assert "Northwind Logistics Group" in names
        initech_account = session.scalars(select(Account).where(Account.name == "Initech")).one()
        assert {x.source for x in initech_account.external_ids} == {"stripe"}  # HubSpot link dropped
        assert factories.profile_balances(session) == factories.open_balances(stripe)
        assert session.scalar(select(func.count(Invoice.id))) == 31


def test_crash_mid_sync_resumes_without_duplicates_or_gaps(database: Database) -> None:
    stripe = factories.stripe(invoices=450)
    with run_local_vendors(stripe=stripe) as vendors:
        crashing = factories.CrashingSource(vendors.sources()["stripe"], pages=3)
        failed = run_sync(database=database, source_name="stripe", source=crashing)
        assert failed.status == "failed"
        assert "ConnectionResetError: killed mid-sync" in failed.errors
        with database.sessions() as session:
            partial = session.scalar(select(func.count(Invoice.id))) or 0
        assert 0 < partial < 450
        stripe.pay_invoice("in_0440")  # changed while we were down
        resumed = run_sync(database=database, source_name="stripe", source=vendors.sources()["stripe"])
        # the resumed full listing ends on an event cursor: the next run applies the payment
        again = run_sync(database=database, source_name="stripe", source=vendors.sources()["stripe"])
        quiet = run_sync(database=database, source_name="stripe", source=vendors.sources()["stripe"])
    assert (resumed.status, again.status, again.records_changed, quiet.records_changed) == ("ok", "ok", 2, 0)
    with database.sessions() as session:
        ids = session.scalars(select(Invoice.external_id)).all()
        assert len(ids) == len(set(ids)) == 450
        assert factories.profile_balances(session) == factories.open_balances(stripe)
        assert session.scalar(select(Invoice.status).where(Invoice.external_id == "in_0440")) == "paid"
        runs = session.scalars(select(SyncRun.status).order_by(SyncRun.id)).all()
    assert runs == ["failed", "ok", "ok", "ok"]


def test_full_resync_starts_over_and_changes_nothing(database: Database, vendors: LocalVendors) -> None:
    sync_all(database, vendors)
    rerun = run_sync(database=database, source_name="stripe", source=vendors.sources()["stripe"], full=True)
    assert rerun.full
    assert rerun.status == "ok"
    assert rerun.records_read >= 30
    assert rerun.records_changed == 0
