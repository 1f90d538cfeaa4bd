"""Load a :class:`DemoBook` into an empty profile store (the caller commits)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from agent.demo.book import DemoBook
from agent.profile.tables import (
    Account,
    Contact,
    CrmSignal,
    Dispute,
    Invoice,
    Payment,
    PaymentPromise,
    Person,
)
from agent.profile.writer import ProfileWriter

SOURCE = "demo"
EXTERNAL_ID_COLUMNS = {
    "stripe": "stripe_customer_id",
    "hubspot": "hubspot_company_id",
    "salesforce": "salesforce_account_id",
}


@dataclass(frozen=True)
class LoadedCounts:
    """How many rows of each kind the demo loaded."""

    people: int
    accounts: int
    invoices: int
    payments: int
    signals: int
    promises: int
    disputes: int


def load_team(*, session: Session, book: DemoBook) -> int:
    """People with their roles, managers, time zones and Slack ids."""
    writer = ProfileWriter(session=session, source=SOURCE)
    for person in book.people.to_dict("records"):
        writer.person(
            email=person["email"],
            name=person["name"],
            role=person["role"],
            manager_email=person["manager_email"],
            time_zone=person["time_zone"],
            slack_id=person["slack_id"],
        )
    return len(book.people)


def load_demo_book(*, session: Session, book: DemoBook) -> LoadedCounts:
    """Write the whole book: team, accounts, contacts, ledger, signals, promises, disputes."""
    load_team(session=session, book=book)
    accounts = _load_accounts(ProfileWriter(session=session, source=SOURCE), book.accounts)
    session.flush()
    account_ids = {key: account.id for key, account in accounts.items()}
    people = {p.email: p.id for p in session.scalars(select(Person))}
    bulk_insert(session, Contact, _contacts(book.contacts, account_ids))
    invoice_ids = _load_invoices(session, book.invoices, account_ids)
    bulk_insert(session, Payment, _payments(book.payments, account_ids, invoice_ids, book.invoices))
    bulk_insert(session, CrmSignal, signal_rows(book.signals, account_ids))
    bulk_insert(session, PaymentPromise, promise_rows(book.promises, account_ids, invoice_ids, people))
    bulk_insert(session, Dispute, dispute_rows(book.disputes, account_ids, invoice_ids))
    return LoadedCounts(
        people=len(book.people),
        accounts=len(accounts),
        invoices=len(invoice_ids),
        payments=len(book.payments),
        signals=len(book.signals),
        promises=len(book.promises),
        disputes=len(book.disputes),
    )


def _load_accounts(writer: ProfileWriter, frame: pd.DataFrame) -> dict[str, Account]:
    accounts: dict[str, Account] = {}
    for row in frame.to_dict("records"):
        account, _ = writer.account(
            external_id=row["account_id"],
            name=row["name"],
            domain=row["domain"],
            owner_email=row["owner_email"],
            segment=row["segment"],
            default_terms_days=int(row["default_terms_days"]),
            terms_label=row["terms_label"],
            credit_limit=to_money(row["credit_limit"]),
            currency=row["currency"],
            country=row["country"],
        )
        for source, column in EXTERNAL_ID_COLUMNS.items():
            writer.link_external_id(account, source=source, external_id=str(row[column]))
        accounts[row["account_id"]] = account
    return accounts


def _load_invoices(session: Session, frame: pd.DataFrame, account_ids: dict[str, int]) -> dict[str, int]:
    rows = [
        {
            "account_id": account_ids[row["customer_id"]],
            "source": SOURCE,
            "external_id": row["invoice_id"],
            "number": row["number"],
            "currency": row["currency"],
            "amount": to_money(row["amount"]),
            "amount_paid": to_money(row["amount_paid"]),
            "issue_date": _day(row["issue_date"]),
            "due_date": _day(row["due_date"]),
            "paid_date": _day(row["paid_date"]),
            "terms_days": int(row["terms_days"]),
            "status": "open" if pd.isna(row["paid_date"]) else "paid",
            "disputed": bool(row["disputed"]),
            "delivery_channel": str(row["delivery_channel"]),
        }
        for row in frame.to_dict("records")
    ]
    bulk_insert(session, Invoice, rows)
    stored = session.execute(select(Invoice.external_id, Invoice.id).where(Invoice.source == SOURCE)).tuples()
    return dict(stored.all())


def _payments(
    frame: pd.DataFrame, account_ids: dict[str, int], invoice_ids: dict[str, int], invoices: pd.DataFrame
) -> list[dict[str, Any]]:
    currency = dict(zip(invoices["invoice_id"], invoices["currency"], strict=True))
    return [
        {
            "invoice_id": invoice_ids[row["invoice_id"]],
            "account_id": account_ids[row["customer_id"]],
            "source": SOURCE,
            "external_id": row["payment_id"],
            "kind": row["kind"],
            "amount": to_money(row["amount"]),
            "currency": currency[row["invoice_id"]],
            "paid_on": _day(row["paid_on"]),
            "method": row["method"] if isinstance(row["method"], str) else None,
        }
        for row in frame.to_dict("records")
    ]


def _contacts(frame: pd.DataFrame, account_ids: dict[str, int]) -> list[dict[str, Any]]:
    return [
        {
            "account_id": account_ids[row["account_id"]],
            "name": row["name"],
            "email": row["email"],
            "title": row["title"],
            "phone": row["phone"],
            "source": SOURCE,
            "external_id": row["contact_id"],
        }
        for row in frame.to_dict("records")
    ]


def signal_rows(frame: pd.DataFrame, account_ids: dict[str, int]) -> list[dict[str, Any]]:
    return [
        {
            "account_id": account_ids[row["account_id"]],
            "kind": row["kind"],
            "value": row["value"],
            "source": row["source"],
            "observed_at": _instant(row["observed_at"]),
        }
        for row in frame.to_dict("records")
    ]


def promise_rows(
    frame: pd.DataFrame, account_ids: dict[str, int], invoice_ids: dict[str, int], people: dict[str, int]
) -> list[dict[str, Any]]:
    return [
        {
            "account_id": account_ids[row["account_id"]],
            "invoice_id": invoice_ids.get(row["invoice_id"]),
            "promised_date": _day(row["promised_date"]),
            "amount": to_money(row["amount"]),
            "status": row["status"],
            "created_by_id": people.get(row["created_by_email"]),
            "created_at": _instant(row["created_at"]),
        }
        for row in frame.to_dict("records")
    ]


def dispute_rows(
    frame: pd.DataFrame, account_ids: dict[str, int], invoice_ids: dict[str, int]
) -> list[dict[str, Any]]:
    return [
        {
            "account_id": account_ids[row["account_id"]],
            "invoice_id": invoice_ids.get(row["invoice_id"]),
            "reason": row["reason"],
            "status": row["status"],
            "opened_at": _instant(row["opened_at"]),
            "resolved_at": _instant(row["resolved_at"]),
        }
        for row in frame.to_dict("records")
    ]


def bulk_insert(session: Session, table: type[Any], rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(table), rows)


def to_money(value: float | None) -> Decimal | None:
    return None if value is None or pd.isna(value) else Decimal(str(round(float(value), 2)))


def _day(value: pd.Timestamp | None) -> date | None:
    return None if value is None or pd.isna(value) else value.date()


def _instant(value: pd.Timestamp | None) -> datetime | None:
    return None if value is None or pd.isna(value) else value.to_pydatetime().replace(tzinfo=UTC)
