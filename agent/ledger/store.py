"""Build a :class:`Ledger` from the profile store."""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.profile.tables import Account, Invoice, Payment, Person
from ledger.frame import PAYMENT_COLUMNS, Ledger, empty_payments, normalise_invoices


def load_ledger(*, session: Session, account_ids: Collection[int] | None = None) -> Ledger:
    """Every non-void invoice (optionally of some accounts) and the payments against them.

    ``customer_id`` is the account's id as text, so results join back to ``accounts.id``.
    """
    query = (
        select(
            Invoice.id.label("invoice_pk"),
            Invoice.number.label("invoice_id"),
            Invoice.account_id,
            Account.name.label("customer_name"),
            Invoice.issue_date,
            Invoice.due_date,
            Invoice.amount,
            Invoice.currency,
            Invoice.paid_date,
            Invoice.amount_paid,
            Invoice.disputed,
            Invoice.terms_days,
            Invoice.delivery_channel,
            Account.segment,
            Account.primary_domain.label("customer_domain"),
            Person.email.label("owner_email"),
        )
        .join(Account, Account.id == Invoice.account_id)
        .outerjoin(Person, Person.id == Account.owner_id)
        .where(Invoice.status != "void")
    )
    if account_ids is not None:
        query = query.where(Invoice.account_id.in_(list(account_ids)))
    result = session.execute(query)
    invoices = pd.DataFrame(result.tuples().all(), columns=list(result.keys()))
    if invoices.empty:
        return Ledger(invoices=_empty_invoices(), payments=empty_payments())
    invoices["customer_id"] = invoices.pop("account_id").astype(str)
    for column in ("amount", "amount_paid"):
        invoices[column] = invoices[column].astype(float)
    payments = _payments(session, account_ids)
    # Invoice numbers are unique per source, not globally: key the ledger by the row id.
    invoices["invoice_number"] = invoices["invoice_id"]
    invoices["invoice_id"] = invoices.pop("invoice_pk").astype(str)
    return Ledger(invoices=normalise_invoices(invoices), payments=payments)


def _payments(session: Session, account_ids: Collection[int] | None) -> pd.DataFrame:
    query = (
        select(Payment.invoice_id, Payment.account_id, Payment.paid_on, Payment.amount)
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(Invoice.status != "void")
    )
    if account_ids is not None:
        query = query.where(Payment.account_id.in_(list(account_ids)))
    result = session.execute(query)
    rows = pd.DataFrame(result.tuples().all(), columns=list(result.keys()))
    if rows.empty:
        return empty_payments()
    rows["invoice_id"] = rows["invoice_id"].astype(str)
    rows["customer_id"] = rows.pop("account_id").astype(str)
    rows["paid_on"] = pd.to_datetime(rows["paid_on"]).astype("datetime64[ns]")
    rows["amount"] = rows["amount"].astype(float)
    return rows.loc[:, list(PAYMENT_COLUMNS)]


def _empty_invoices() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "invoice_id": pd.Series(dtype=object),
            "customer_id": pd.Series(dtype=object),
            "issue_date": pd.Series(dtype="datetime64[ns]"),
            "due_date": pd.Series(dtype="datetime64[ns]"),
            "amount": pd.Series(dtype=float),
        }
    )
    return normalise_invoices(frame)
