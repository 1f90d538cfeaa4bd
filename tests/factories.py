"""Builders of realistic test data: CSV files, people, accounts, invoices, tokens."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from agent.auth.service import create_token
from agent.profile.tables import Account, Invoice, Payment, Person

REPO_ROOT = Path(__file__).resolve().parents[1]
IBM_MAPPING = REPO_ROOT / "connectors" / "csv" / "mappings" / "ibm-accounts-receivable.yaml"
CANONICAL_HEADER = [
    "invoice_id",
    "customer_id",
    "customer_name",
    "issue_date",
    "due_date",
    "amount",
    "currency",
    "paid_date",
    "amount_paid",
    "disputed",
    "customer_domain",
    "owner_email",
]


def canonical_row(**overrides: str) -> dict[str, str]:
    """A valid open invoice row of the canonical layout."""
    row = {
        "invoice_id": "INV-1001",
        "customer_id": "C-001",
        "customer_name": "Northwind Logistics",
        "issue_date": "2026-09-01",
        "due_date": "2026-10-01",
        "amount": "12500.00",
        "currency": "USD",
        "paid_date": "",
        "amount_paid": "",
        "disputed": "false",
        "customer_domain": "northwind-logistics.com",
        "owner_email": "maya.chen@nudge.example",
    }
    row.update(overrides)
    return row


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> Path:
    """Write ``rows`` under ``header`` (default: the canonical header)."""
    columns = header or CANONICAL_HEADER
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def make_person(session: Session, email: str, role: str = "csm", **values: Any) -> Person:
    """A person with a readable name derived from the email."""
    name = email.split("@", 1)[0].replace(".", " ").title()
    person = Person(email=email, name=values.pop("name", name), role=role, **values)
    session.add(person)
    session.flush()
    return person


def make_account(session: Session, name: str, owner: Person | None = None, **values: Any) -> Account:
    """An account owned by ``owner``."""
    account = Account(name=name, owner=owner, currency=values.pop("currency", "USD"), **values)
    session.add(account)
    session.flush()
    return account


def make_invoice(
    session: Session,
    account: Account,
    number: str,
    amount: str,
    *,
    issued: date,
    terms_days: int = 30,
    paid: str = "0",
    paid_on: date | None = None,
    currency: str = "USD",
) -> Invoice:
    """An invoice; fully paid when ``paid`` equals ``amount`` and ``paid_on`` is given."""
    invoice = Invoice(
        account=account,
        source="test",
        external_id=number,
        number=number,
        currency=currency,
        amount=Decimal(amount),
        amount_paid=Decimal(paid),
        issue_date=issued,
        due_date=issued + timedelta(days=terms_days),
        paid_date=paid_on if Decimal(paid) == Decimal(amount) else None,
        terms_days=terms_days,
        status="paid" if paid_on and Decimal(paid) == Decimal(amount) else "open",
    )
    session.add(invoice)
    session.flush()
    if Decimal(paid):
        session.add(
            Payment(
                invoice=invoice,
                account=account,
                source="test",
                external_id=f"{number}:p",
                amount=Decimal(paid),
                currency=currency,
                paid_on=paid_on or issued,
            )
        )
    return invoice


def token_for(session: Session, person: Person) -> str:
    """A live API token for ``person`` (committed)."""
    token = create_token(session=session, person=person, name="test")
    session.commit()
    return token
