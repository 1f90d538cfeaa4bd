"""The demo goes through the real path: book -> emulators -> connectors -> profile, joined right."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from agent.demo.book import DemoBook, build_demo_book
from agent.demo.setup import DemoDatabase, build_demo_database
from agent.demo.vendors import stripe_invoice_id
from agent.profile.tables import Account, AccountExternalId, CrmSignal, Invoice, PaymentPromise
from agent.settings import Settings
from agent.sync.service import run_sync
from agent.sync.sources import build_source
from agent.sync.tables import SyncRun
from tests.conftest import BOOK_DATE

ACCOUNTS = 60


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[DemoDatabase, DemoBook]]:
    settings = Settings(home=tmp_path, as_of=BOOK_DATE, environment="test")
    built = build_demo_database(settings=settings, accounts=ACCOUNTS, seed=7, log=lambda _: None)
    yield built, build_demo_book(seed=7, as_of=BOOK_DATE, accounts=ACCOUNTS)
    built.close()


def book_open_ar(book: DemoBook) -> dict[str, Decimal]:
    """Open balance per Stripe customer in the book (invoices; credit notes live in Stripe apart)."""
    invoices = book.invoices[(book.invoices["amount"] > 0) & book.invoices["paid_date"].isna()]
    open_ar = (invoices["amount"] - invoices["amount_paid"]).groupby(invoices["customer_id"]).sum()
    customers = dict(zip(book.accounts["account_id"], book.accounts["stripe_customer_id"], strict=True))
    return {customers[str(a)]: Decimal(str(round(v, 2))) for a, v in open_ar.items() if round(v, 2) != 0}


def test_accounts_have_crm_owners_and_stripe_invoices(demo: tuple[DemoDatabase, DemoBook]) -> None:
    built, book = demo
    with built.database.sessions() as session:
        links = session.execute(
            select(AccountExternalId.source, AccountExternalId.external_id, Account).join(
                Account, Account.id == AccountExternalId.account_id
            )
        ).all()
        by_stripe = {ext: account for source, ext, account in links if source == "stripe"}
        crm = {source for source, _, _ in links} - {"stripe"}
        expected = book.accounts.set_index("stripe_customer_id")
        assert len(by_stripe) == session.scalar(select(func.count(Account.id))) == ACCOUNTS
        assert crm == {"hubspot", "salesforce"}
        for customer, account in by_stripe.items():
            row = expected.loc[customer]
            assert (account.name, account.owner.email if account.owner else None) == (
                row["name"],
                row["owner_email"],
            )
            assert account.field_sources["owner"]["source"] == (
                "salesforce" if row["segment"] == "enterprise" else "hubspot"
            )
        open_ar = session.execute(
            select(AccountExternalId.external_id, func.sum(Invoice.amount - Invoice.amount_paid))
            .join(Invoice, Invoice.account_id == AccountExternalId.account_id)
            .where(AccountExternalId.source == "stripe", Invoice.status == "open")
            .group_by(AccountExternalId.external_id)
        ).tuples()
        assert {c: Decimal(v).quantize(Decimal("0.01")) for c, v in open_ar if v} == book_open_ar(book)
        assert session.scalar(select(func.count(Invoice.id))) == int((book.invoices["amount"] > 0).sum())
        assert set(session.scalars(select(Invoice.source))) == {"stripe"}
        assert session.scalars(select(SyncRun.source).where(SyncRun.status == "ok")).all() == [
            "hubspot",
            "salesforce",
            "stripe",
        ]


def test_native_data_joins_onto_the_synced_accounts(demo: tuple[DemoDatabase, DemoBook]) -> None:
    built, book = demo
    with built.database.sessions() as session:
        kinds = set(session.scalars(select(CrmSignal.kind)))
        assert kinds == {"health_score", "open_tickets", "nps", "open_deals", "renewal_date"}
        assert session.scalar(select(func.count(PaymentPromise.id))) == len(book.promises)
        on_invoices = session.scalar(
            select(func.count(PaymentPromise.id)).where(PaymentPromise.invoice_id.is_not(None))
        )
        assert on_invoices == int(book.promises["invoice_id"].notna().sum())
        renewals = dict(
            session.execute(
                select(AccountExternalId.external_id, CrmSignal.value)
                .join(CrmSignal, CrmSignal.account_id == AccountExternalId.account_id)
                .where(AccountExternalId.source == "stripe", CrmSignal.kind == "renewal_date")
            )
            .tuples()
            .all()
        )
    latest = book.signals[book.signals["kind"] == "renewal_date"].merge(
        book.accounts[["account_id", "stripe_customer_id"]], on="account_id"
    )
    assert renewals == dict(zip(latest["stripe_customer_id"], latest["value"], strict=True))


def test_emulators_keep_serving_later_syncs(demo: tuple[DemoDatabase, DemoBook]) -> None:
    built, book = demo
    assert built.vendors is not None
    assert built.vendors.emulators["stripe"] is not None
    open_invoice = book.invoices[(book.invoices["amount"] > 0) & book.invoices["paid_date"].isna()].iloc[0]
    stripe_id = stripe_invoice_id(open_invoice["invoice_id"])
    built.vendors.emulators["stripe"].pay_invoice(stripe_id)
    source = build_source("stripe")
    run = run_sync(database=built.database, source_name="stripe", source=source)
    assert (run.status, run.records_changed) == ("ok", 2)  # the invoice and its payment
    with built.database.sessions() as session:
        assert session.scalar(select(Invoice.status).where(Invoice.external_id == stripe_id)) == "paid"
