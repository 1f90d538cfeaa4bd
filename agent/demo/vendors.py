"""What each vendor holds of the demo book: seed rows for its emulator, by connector name.

HubSpot holds the SMB and mid-market accounts (owners = their CSMs, companies carrying
the Stripe customer id, contacts, deals); Salesforce holds the enterprise segment
(users, accounts, contacts, opportunities); Stripe bills everyone (customers, invoices
with what was paid, credit notes). Each book credit note becomes a Stripe credit note on
the account's latest invoice issued by then (Stripe credit notes belong to an invoice).
The rows are in each emulator's ``seed(**rows)`` format (``connectors/README.md``); the
emulators themselves are created and served through the connector registry.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd

from agent.demo.book import DemoBook

SALESFORCE_SEGMENT = "enterprise"
HUBSPOT_OPEN_STAGE, SALESFORCE_OPEN_STAGE = "qualifiedtobuy", "Prospecting"


def stripe_invoice_id(invoice_id: str) -> str:
    """The Stripe id the demo gives a book invoice: ``INV-2025-000123`` -> ``in_2025000123``."""
    return "in_" + invoice_id.removeprefix("INV-").replace("-", "")


SeedRows = dict[str, list[dict[str, Any]]]


def hubspot_rows(book: DemoBook) -> SeedRows:
    """HubSpot with the non-enterprise accounts, their CSMs, contacts and deals."""
    accounts = book.accounts[book.accounts["segment"] != SALESFORCE_SEGMENT]
    return {
        "owners": _owners(book, accounts),
        "companies": [
            {
                "id": int(a["hubspot_company_id"]),
                "name": a["name"],
                "domain": a["domain"],
                "owner_email": a["owner_email"],
                "stripe_customer_id": a["stripe_customer_id"],
                "properties": {"country": a["country"]},
            }
            for a in accounts.to_dict("records")
        ],
        "contacts": [dict(c, company_domain=c.pop("domain")) for c in _contacts(book, accounts)],
        "deals": [
            dict(d, company_domain=d.pop("domain")) for d in _deals(book, accounts, HUBSPOT_OPEN_STAGE)
        ],
    }


def salesforce_rows(book: DemoBook) -> SeedRows:
    """Salesforce with the enterprise accounts, their CSMs, contacts and opportunities."""
    accounts = book.accounts[book.accounts["segment"] == SALESFORCE_SEGMENT]
    return {
        "users": _owners(book, accounts),
        "accounts": [
            {
                "id": a["salesforce_account_id"],
                "name": a["name"],
                "domain": a["domain"],
                "owner_email": a["owner_email"],
                "stripe_customer_id": a["stripe_customer_id"],
                "country": a["country"],
            }
            for a in accounts.to_dict("records")
        ],
        "contacts": [dict(c, account_domain=c.pop("domain")) for c in _contacts(book, accounts)],
        "opportunities": [
            dict(d, account_domain=d.pop("domain")) for d in _deals(book, accounts, SALESFORCE_OPEN_STAGE)
        ],
    }


def stripe_rows(book: DemoBook) -> SeedRows:
    """Stripe with every account as a customer, the invoices (oldest first) and credit notes."""
    invoices = book.invoices[book.invoices["amount"] > 0]
    customers = dict(zip(book.accounts["account_id"], book.accounts["stripe_customer_id"], strict=True))
    return {
        "customers": [
            {
                "id": a["stripe_customer_id"],
                "name": a["name"],
                "email": f"billing@{a['domain']}",
                "currency": a["currency"].lower(),
                "created": a["created_at"].date(),
            }
            for a in book.accounts.to_dict("records")
        ],
        "invoices": [_invoice(row, customers[str(row["customer_id"])]) for row in _records(invoices)],
        "credit_notes": _credit_notes(book.invoices),
    }


# The demo's story, in sync order: the CRMs first (they name and own the accounts), then billing.
DEMO_VENDORS: dict[str, Callable[[DemoBook], SeedRows]] = {
    "hubspot": hubspot_rows,
    "salesforce": salesforce_rows,
    "stripe": stripe_rows,
}


def slack_members(book: DemoBook) -> pd.DataFrame:
    """Who reads Nudge in Slack in the demo: every other CSM; the rest of the team gets
    e-mail, so the demo shows both channels."""
    csms = book.people[book.people["role"] == "csm"]
    return csms.iloc[::2]


def slack_rows(book: DemoBook) -> SeedRows:
    """The team's Slack workspace: its members with their Slack ids, and #collections."""
    return {
        "users": [
            {"id": p["slack_id"], "email": p["email"], "name": p["name"], "tz": p["time_zone"]}
            for p in slack_members(book).to_dict("records")
        ],
        "channels": [{"id": "C0COLLECTS", "name": "collections"}],
    }


# Where the demo's notifications go: seeded, served and configured like the vendors, not synced.
DEMO_CHANNELS: dict[str, Callable[[DemoBook], SeedRows]] = {"slack": slack_rows}


def _invoice(row: dict[str, Any], customer: str) -> dict[str, Any]:
    paid = not pd.isna(row["paid_date"])
    paid_at = row["paid_date"] if paid else row["paid_partially_on"]
    return {
        "id": stripe_invoice_id(row["invoice_id"]),
        "customer": customer,
        "number": row["number"],
        "currency": row["currency"].lower(),
        "total": round(float(row["amount"]), 2),
        "amount_paid": round(float(row["amount_paid"]), 2),
        "issue_date": _day(row["issue_date"]),
        "due_date": _day(row["due_date"]),
        "paid_at": None if pd.isna(paid_at) else _day(paid_at),
        "status": "paid" if paid else "open",
    }


def _credit_notes(invoices: pd.DataFrame) -> list[dict[str, Any]]:
    """Book credit notes attached to the account's latest invoice issued by then."""
    billed = invoices[invoices["amount"] > 0].sort_values("issue_date", kind="stable")
    notes = invoices[invoices["amount"] < 0].sort_values("issue_date", kind="stable")
    joined = pd.merge_asof(
        notes[["invoice_id", "customer_id", "issue_date", "amount"]],
        billed[["customer_id", "issue_date", "invoice_id"]].rename(columns={"invoice_id": "against"}),
        on="issue_date",
        by="customer_id",
    ).dropna(subset=["against"])
    return [
        {
            "id": "cn_" + row["invoice_id"].removeprefix("INV-").replace("-", ""),
            "invoice": stripe_invoice_id(row["against"]),
            "amount": round(-float(row["amount"]), 2),
            "reason": "order_change",
            "issued_at": _day(row["issue_date"]),
        }
        for row in joined.to_dict("records")
    ]


def _owners(book: DemoBook, accounts: pd.DataFrame) -> list[dict[str, str]]:
    owners = book.people[book.people["email"].isin(set(accounts["owner_email"]))]
    return [
        {
            "email": p["email"],
            "first_name": p["name"].split(" ", 1)[0],
            "last_name": p["name"].split(" ", 1)[-1],
        }
        for p in owners.to_dict("records")
    ]


def _contacts(book: DemoBook, accounts: pd.DataFrame) -> list[dict[str, Any]]:
    domains = dict(zip(accounts["account_id"], accounts["domain"], strict=True))
    contacts = book.contacts[book.contacts["account_id"].isin(domains)]
    return [
        {
            "email": c["email"],
            "first_name": c["name"].split(" ", 1)[0],
            "last_name": c["name"].split(" ", 1)[-1],
            "title": c["title"],
            "phone": c["phone"],
            "domain": domains[c["account_id"]],
        }
        for c in contacts.to_dict("records")
    ]


def _deals(book: DemoBook, accounts: pd.DataFrame, open_stage: str) -> list[dict[str, Any]]:
    """Per account: the renewal (closing on the renewal date) and its other open deals."""
    latest = book.signals.sort_values("observed_at", kind="stable").groupby(["account_id", "kind"]).last()
    deals: list[dict[str, Any]] = []
    for account in accounts.to_dict("records"):
        key = account["account_id"]
        common = {"owner_email": account["owner_email"], "domain": account["domain"], "stage": open_stage}
        if (key, "renewal_date") in latest.index:
            renewal = latest.loc[(key, "renewal_date"), "value"]
            deals.append(
                {**common, "name": f"{account['name']} renewal", "close_date": renewal, "renewal": True}
            )
        others = int(latest.loc[(key, "open_deals"), "value"]) if (key, "open_deals") in latest.index else 0
        deals.extend(
            {**common, "name": f"{account['name']} expansion {n + 1}", "amount": 5000 * (n + 1)}
            for n in range(others)
        )
    return deals


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _day(value: pd.Timestamp) -> date:
    return value.date()
