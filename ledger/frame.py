"""The ledger contract: column names and dtypes shared by metrics, the model and rules.

``invoices`` has one row per invoice (credit notes have a negative ``amount``):

=================  ==============  ===================================================
column             dtype           meaning
=================  ==============  ===================================================
invoice_id         object (str)    unique within the ledger
customer_id        object (str)    the account's id in the source
customer_name      object (str)
issue_date         datetime64[ns]
due_date           datetime64[ns]
amount             float64         invoiced amount, in ``currency``
currency           object (str)    ISO 4217 code
paid_date          datetime64[ns]  NaT while any balance is open
amount_paid        float64         total paid so far (0 while nothing is paid)
disputed           bool
terms_days         int64           due_date - issue_date unless the source says otherwise
=================  ==============  ===================================================

Optional invoice columns (present when known, else absent or null): ``customer_domain``,
``owner_email``, ``segment``, ``delivery_channel``, ``country``, ``paid_partially_on``.

``payments`` has one row per cash movement against an invoice: ``invoice_id``,
``customer_id``, ``paid_on`` (datetime64), ``amount`` (float64, in the invoice currency).
A payment counts on its ``paid_on`` date.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

INVOICE_COLUMNS: tuple[str, ...] = (
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
    "terms_days",
)
OPTIONAL_INVOICE_COLUMNS: tuple[str, ...] = (
    "customer_domain",
    "owner_email",
    "segment",
    "delivery_channel",
    "country",
    "paid_partially_on",
)
PAYMENT_COLUMNS: tuple[str, ...] = ("invoice_id", "customer_id", "paid_on", "amount")
DATE_COLUMNS: tuple[str, ...] = ("issue_date", "due_date", "paid_date")


def empty_payments() -> pd.DataFrame:
    """A payments frame with no rows and the contract's dtypes."""
    return pd.DataFrame(
        {
            "invoice_id": pd.Series(dtype=object),
            "customer_id": pd.Series(dtype=object),
            "paid_on": pd.Series(dtype="datetime64[ns]"),
            "amount": pd.Series(dtype=float),
        }
    )


def payments_from_invoices(invoices: pd.DataFrame) -> pd.DataFrame:
    """Derive payments from invoice rows that carry only ``paid_date``/``amount_paid``.

    A settled invoice yields one payment of ``amount_paid`` on ``paid_date``; an open
    invoice with a partial payment yields one on ``paid_partially_on`` (or, when the
    source does not say when, on its issue date, the earliest it could have been).
    """
    paid = invoices["amount_paid"].to_numpy(dtype=float) != 0
    settled = invoices["paid_date"].notna().to_numpy()
    partial_on = (
        invoices["paid_partially_on"]
        if "paid_partially_on" in invoices.columns
        else pd.Series(pd.NaT, index=invoices.index)
    )
    when = invoices["paid_date"].where(settled, partial_on.fillna(invoices["issue_date"]))
    rows = invoices.loc[paid, ["invoice_id", "customer_id", "amount_paid"]].copy()
    rows["paid_on"] = when[paid].astype("datetime64[ns]")
    rows = rows.rename(columns={"amount_paid": "amount"})
    return rows.loc[:, list(PAYMENT_COLUMNS)].reset_index(drop=True)


@dataclass(frozen=True)
class Ledger:
    """Invoices and the payments against them."""

    invoices: pd.DataFrame
    payments: pd.DataFrame

    @classmethod
    def from_invoices(cls, invoices: pd.DataFrame) -> Ledger:
        """Build a ledger whose payments are derived from the invoice rows."""
        normalised = normalise_invoices(invoices)
        return cls(invoices=normalised, payments=payments_from_invoices(normalised))

    @property
    def open_amount(self) -> np.ndarray:
        """Open balance per invoice today (amount minus everything paid)."""
        return (self.invoices["amount"] - self.invoices["amount_paid"]).to_numpy(dtype=float)


def normalise_invoices(frame: pd.DataFrame) -> pd.DataFrame:
    """Coerce a frame to the contract's dtypes; fill ``terms_days`` and ``amount_paid``."""
    missing = [column for column in INVOICE_COLUMNS if column not in frame.columns]
    optional_fill = {
        "amount_paid",
        "terms_days",
        "disputed",
        "currency",
        "customer_name",
        "paid_date",
    }
    if hard_missing := [column for column in missing if column not in optional_fill]:
        raise ValueError(f"ledger is missing columns: {', '.join(hard_missing)}")
    out = frame.copy()
    for column in DATE_COLUMNS:
        if column not in out.columns:
            out[column] = pd.NaT
        out[column] = pd.to_datetime(out[column]).astype("datetime64[ns]")
    if "paid_partially_on" in out.columns:
        out["paid_partially_on"] = pd.to_datetime(out["paid_partially_on"]).astype("datetime64[ns]")
    out["amount"] = out["amount"].astype(float)
    if "amount_paid" not in out.columns:
        out["amount_paid"] = np.where(out["paid_date"].notna(), out["amount"], 0.0)
    out["amount_paid"] = out["amount_paid"].astype(float)
    if "terms_days" not in out.columns:
        out["terms_days"] = (out["due_date"] - out["issue_date"]).dt.days
    out["terms_days"] = out["terms_days"].astype("int64")
    out["disputed"] = out["disputed"].astype(bool) if "disputed" in out.columns else False
    if "currency" not in out.columns:
        out["currency"] = "USD"
    if "customer_name" not in out.columns:
        out["customer_name"] = out["customer_id"]
    out["invoice_id"] = out["invoice_id"].astype(str)
    out["customer_id"] = out["customer_id"].astype(str)
    return out.reset_index(drop=True)
