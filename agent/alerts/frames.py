"""The side frames the rule engine reads (promises, disputes, CRM signals, accounts), from the DB.

Column names follow :mod:`rules.context`; ids are text like the ledger's; instants are
naive UTC ``datetime64`` as the engine expects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from agent.profile.tables import Account, CrmSignal, Dispute, PaymentPromise, Person


@dataclass(frozen=True)
class SideFrames:
    """Everything the context builder takes besides the ledger."""

    promises: pd.DataFrame
    disputes: pd.DataFrame
    signals: pd.DataFrame
    accounts: pd.DataFrame


def load_side_frames(*, session: Session) -> SideFrames:
    """Promises and disputes on invoices, CRM observations and account attributes."""
    promises = _frame(
        session,
        select(
            PaymentPromise.invoice_id,
            PaymentPromise.promised_date,
            PaymentPromise.amount,
            PaymentPromise.created_at,
        ).where(PaymentPromise.invoice_id.is_not(None)),
        ["invoice_id", "promised_date", "amount", "created_at"],
    )
    disputes = _frame(
        session,
        select(Dispute.invoice_id, Dispute.opened_at, Dispute.resolved_at).where(
            Dispute.invoice_id.is_not(None)
        ),
        ["invoice_id", "opened_at", "resolved_at"],
    )
    signals = _frame(
        session,
        select(
            CrmSignal.account_id.label("customer_id"), CrmSignal.kind, CrmSignal.value, CrmSignal.observed_at
        ),
        ["customer_id", "kind", "value", "observed_at"],
    )
    accounts = _frame(
        session,
        select(
            Account.id.label("customer_id"),
            Account.name,
            Account.segment,
            Person.email.label("owner_email"),
            Account.credit_limit,
        ).outerjoin(Person, Person.id == Account.owner_id),
        ["customer_id", "name", "segment", "owner_email", "credit_limit"],
    )
    for frame, column in ((promises, "amount"), (accounts, "credit_limit")):
        frame[column] = pd.to_numeric(frame[column].astype(object), errors="coerce").astype(float)
    return SideFrames(promises, disputes, signals, accounts)


def _frame(session: Session, query: Select[Any], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(session.execute(query).all(), columns=columns)
    for column in columns:
        if column.endswith("_id"):
            frame[column] = frame[column].astype(str)
        elif column.endswith(("_at", "_date")):
            frame[column] = _naive_utc(frame[column])
    return frame


def _naive_utc(values: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(values, utc=True)
    return stamps.dt.tz_localize(None).astype("datetime64[ns]")
