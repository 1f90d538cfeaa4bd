"""Small hand-made ledgers for metric tests: invoices as keyword rows, payments as tuples."""

from __future__ import annotations

from datetime import date

import pandas as pd

from agent.ledger.frame import Ledger, normalise_invoices


def invoice(
    invoice_id: str,
    issue: str,
    due: str,
    amount: float,
    *,
    customer: str = "C1",
    currency: str = "USD",
    **extra: object,
) -> dict[str, object]:
    """One invoice row (its payments are given to :func:`ledger`)."""
    return {
        "invoice_id": invoice_id,
        "customer_id": customer,
        "customer_name": f"Customer {customer}",
        "issue_date": issue,
        "due_date": due,
        "amount": amount,
        "currency": currency,
        "disputed": False,
        **extra,
    }


def ledger(rows: list[dict[str, object]], payments: list[tuple[str, str, float]] = ()) -> Ledger:  # type: ignore[assignment]
    """A ledger whose payments are ``(invoice_id, paid_on, amount)``.

    ``amount_paid`` is the sum of an invoice's payments; ``paid_date`` is its last
    payment's date once the invoice is fully paid.
    """
    pay = pd.DataFrame(payments, columns=["invoice_id", "paid_on", "amount"])
    pay["paid_on"] = pd.to_datetime(pay["paid_on"]).astype("datetime64[ns]")
    pay["amount"] = pay["amount"].astype(float)
    invoices = pd.DataFrame(rows)
    totals = pay.groupby("invoice_id")["amount"].sum()
    last = pay.groupby("invoice_id")["paid_on"].max()
    invoices["amount_paid"] = invoices["invoice_id"].map(totals).fillna(0.0)
    settled = (invoices["amount_paid"] - invoices["amount"]).abs() < 1e-9
    invoices["paid_date"] = invoices["invoice_id"].map(last).where(settled)
    frame = normalise_invoices(invoices)
    customers = frame.set_index("invoice_id")["customer_id"]
    pay.insert(1, "customer_id", pay["invoice_id"].map(customers))
    return Ledger(invoices=frame, payments=pay)


def day(text: str) -> date:
    """``date.fromisoformat`` with a short name for tests."""
    return date.fromisoformat(text)
