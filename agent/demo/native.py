"""The demo's Nudge-native data, loaded directly: the team, account terms and segments,
health/ticket/NPS signals, promises and disputes. Accounts, owners, invoices and deals
come through the connectors; this joins onto them by their Stripe ids."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from agent.db.types import utcnow
from agent.demo.book import DemoBook
from agent.demo.load import bulk_insert, dispute_rows, promise_rows, signal_rows, to_money
from agent.demo.vendors import stripe_invoice_id
from agent.profile.tables import (
    Account,
    AccountExternalId,
    CrmSignal,
    Dispute,
    Invoice,
    PaymentPromise,
    Person,
)

SOURCE = "demo"
# Signals no connector carries (deal-derived open_deals and renewal_date come from the CRMs).
DIRECT_SIGNALS = ("health_score", "open_tickets", "nps")


@dataclass(frozen=True)
class NativeCounts:
    """Rows loaded directly."""

    people: int
    signals: int
    promises: int
    disputes: int


def load_native(*, session: Session, book: DemoBook) -> NativeCounts:
    """After the sync: terms and segments, invoice flags, signals, promises, disputes."""
    account_ids = _account_ids(session, book.accounts)
    invoice_ids = _invoice_ids(session, book.invoices)
    _enrich_accounts(session, book.accounts, account_ids)
    _flag_invoices(session, book.invoices, invoice_ids)
    people = {p.email: p.id for p in session.scalars(select(Person))}
    signals = book.signals[book.signals["kind"].isin(DIRECT_SIGNALS)]
    bulk_insert(session, CrmSignal, signal_rows(signals, account_ids))
    bulk_insert(session, PaymentPromise, promise_rows(book.promises, account_ids, invoice_ids, people))
    bulk_insert(session, Dispute, dispute_rows(book.disputes, account_ids, invoice_ids))
    return NativeCounts(len(people), len(signals), len(book.promises), len(book.disputes))


def _account_ids(session: Session, accounts: pd.DataFrame) -> dict[str, int]:
    """Book account id -> profile account id, through the synced Stripe customer."""
    links = session.execute(
        select(AccountExternalId.external_id, AccountExternalId.account_id).where(
            AccountExternalId.source == "stripe"
        )
    ).tuples()
    by_customer = dict(links.all())
    return {
        a: by_customer[c] for a, c in zip(accounts["account_id"], accounts["stripe_customer_id"], strict=True)
    }


def _invoice_ids(session: Session, invoices: pd.DataFrame) -> dict[str, int]:
    """Book invoice id -> profile invoice id, through the synced Stripe invoice."""
    rows = session.execute(select(Invoice.external_id, Invoice.id).where(Invoice.source == "stripe")).tuples()
    by_stripe = dict(rows.all())
    ids = {i: by_stripe.get(stripe_invoice_id(i)) for i in invoices["invoice_id"]}
    return {book_id: profile_id for book_id, profile_id in ids.items() if profile_id is not None}


def _enrich_accounts(session: Session, accounts: pd.DataFrame, account_ids: dict[str, int]) -> None:
    seen = {"source": SOURCE, "seen_at": utcnow().isoformat()}
    stored = {a.id: a for a in session.scalars(select(Account))}
    for row in accounts.to_dict("records"):
        account = stored[account_ids[row["account_id"]]]
        account.segment = row["segment"]
        account.default_terms_days = int(row["default_terms_days"])
        account.terms_label = row["terms_label"]
        account.credit_limit = to_money(row["credit_limit"])
        fields = ("segment", "default_terms_days", "terms_label", "credit_limit")
        account.field_sources = {**(account.field_sources or {}), **dict.fromkeys(fields, seen)}


def _flag_invoices(session: Session, invoices: pd.DataFrame, invoice_ids: dict[str, int]) -> None:
    rows = [
        {
            "id": invoice_ids[r["invoice_id"]],
            "disputed": bool(r["disputed"]),
            "delivery_channel": r["delivery_channel"],
        }
        for r in invoices.to_dict("records")
        if r["invoice_id"] in invoice_ids
    ]
    if rows:
        session.execute(update(Invoice), rows)
