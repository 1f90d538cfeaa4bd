"""Seeded vendor emulators for sync tests: a small book shared by HubSpot and Stripe."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent.profile.tables import AccountExternalId, Invoice
from connectors.core.calls import CallStats
from connectors.core.protocols import Cursor, Page, Source
from connectors.hubspot.emulator import HubSpotEmulator
from connectors.salesforce.emulator import SalesforceEmulator
from connectors.stripe.emulator import StripeEmulator

OWNERS = [
    {"email": "maya.chen@nudge.example", "first_name": "Maya", "last_name": "Chen"},
    {"email": "omar.haddad@nudge.example", "first_name": "Omar", "last_name": "Haddad"},
]
COMPANIES: list[dict[str, Any]] = [
    {
        "name": "Northwind Logistics",
        "domain": "northwind.example",
        "owner_email": OWNERS[0]["email"],
        "stripe_customer_id": "cus_northwind",
        "properties": {"country": "US"},
    },
    {
        "name": "Globex GmbH",
        "domain": "globex.example",
        "owner_email": OWNERS[1]["email"],
        "stripe_customer_id": "cus_globex",
    },
    {"name": "Initech", "domain": "initech.example", "owner_email": OWNERS[0]["email"]},
]
CUSTOMERS: list[dict[str, Any]] = [
    {
        "id": "cus_northwind",
        "name": "Northwind (billing)",
        "email": "ap@northwind.example",
        "currency": "usd",
    },
    {"id": "cus_globex", "name": "Globex", "email": "billing@globex.example", "currency": "eur"},
    # no stripe id on the CRM company: joined by the e-mail's domain
    {"id": "cus_initech", "name": "Initech LLC", "email": "ap@initech.example", "currency": "usd"},
]


def invoice_rows(count: int = 30) -> list[dict[str, Any]]:
    """Invoices spread over the three customers, oldest first; every third one paid."""
    rows = []
    for n in range(count):
        customer = CUSTOMERS[n % 3]
        paid = n % 3 == 0
        rows.append(
            {
                "id": f"in_{n:04d}",
                "customer": customer["id"],
                "number": f"INV-{n:04d}",
                "currency": customer["currency"],
                "total": 1000 + 10 * n,
                "issue_date": f"2026-0{1 + n % 9}-01",
                "due_date": f"2026-0{1 + n % 9}-28",
                "status": "paid" if paid else "open",
                "paid_at": f"2026-0{1 + n % 9}-20" if paid else None,
            }
        )
    return rows


def hubspot() -> HubSpotEmulator:
    """HubSpot with two owners, three companies, contacts and deals (one renewal)."""
    emulator = HubSpotEmulator()
    emulator.seed(
        owners=OWNERS,
        companies=COMPANIES,
        contacts=[
            {
                "email": "ana@northwind.example",
                "first_name": "Ana",
                "last_name": "Ruiz",
                "title": "Controller",
                "company_domain": "northwind.example",
            }
        ],
        deals=[
            {
                "name": "Northwind renewal",
                "amount": 50000,
                "stage": "appointmentscheduled",
                "close_date": "2027-03-01",
                "renewal": True,
                "company_domain": "northwind.example",
                "owner_email": OWNERS[0]["email"],
            },
            {
                "name": "Northwind upsell",
                "amount": 9000,
                "stage": "qualifiedtobuy",
                "close_date": "2027-01-15",
                "company_domain": "northwind.example",
            },
            {
                "name": "Globex won",
                "amount": 9000,
                "stage": "closedwon",
                "close_date": "2026-01-15",
                "company_domain": "globex.example",
            },
        ],
    )
    return emulator


def stripe(invoices: int = 30) -> StripeEmulator:
    """Stripe with the three customers and ``invoices`` invoices."""
    emulator = StripeEmulator()
    emulator.seed(customers=CUSTOMERS, invoices=invoice_rows(invoices))
    return emulator


def salesforce() -> SalesforceEmulator:
    """Salesforce holding Globex too (linked by its Stripe id) under another owner."""
    emulator = SalesforceEmulator()
    emulator.seed(
        users=[{"email": "lee.park@nudge.example", "first_name": "Lee", "last_name": "Park"}],
        accounts=[
            {
                "name": "Globex Corporation",
                "domain": "www.globex.example",
                "owner_email": "lee.park@nudge.example",
                "stripe_customer_id": "cus_globex",
            }
        ],
    )
    return emulator


def open_balances(stripe: StripeEmulator) -> dict[str, Decimal]:
    """The truth: each Stripe customer's open balance (open invoices' amount remaining)."""
    balances: dict[str, Decimal] = {}
    for invoice in stripe.live("invoices").values():
        if invoice["status"] == "open":
            remaining = Decimal(invoice["total"] - invoice["amount_paid"]) / 100
            balances[invoice["customer"]] = balances.get(invoice["customer"], Decimal(0)) + remaining
    return balances


def profile_balances(session: Session) -> dict[str, Decimal]:
    """The profile's open balance per Stripe customer id."""
    rows = session.execute(
        select(AccountExternalId.external_id, func.sum(Invoice.amount - Invoice.amount_paid))
        .join(Invoice, Invoice.account_id == AccountExternalId.account_id)
        .where(AccountExternalId.source == "stripe", Invoice.status == "open")
        .group_by(AccountExternalId.external_id)
    )
    return {customer: Decimal(total) for customer, total in rows}


class CrashingSource:
    """A real source that dies (like a killed process) after ``pages`` pages."""

    def __init__(self, source: Source, pages: int) -> None:
        self.name = source.name
        self.inner = source
        self.pages = pages

    @property
    def stats(self) -> CallStats:
        """The wrapped source's calls."""
        return self.inner.stats

    def pull(self, since: Cursor | None) -> Iterator[Page]:
        """Yield ``pages`` pages, then crash."""
        for count, page in enumerate(self.inner.pull(since)):
            if count == self.pages:
                raise ConnectionResetError("killed mid-sync")
            yield page
