"""Small hand-made ledgers for metric tests: invoices as keyword rows, payments as tuples."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from ledger.frame import Ledger, normalise_invoices


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


def ledger(rows: list[dict[str, object]], payments: Sequence[tuple[str, str, float]] = ()) -> Ledger:
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


def march_book() -> Ledger:
    """A hand-computed book for as-of 2024-03-31 over March (31 days).

    ===  =========  =========  ======  ===========================================
    id   issued     due        amount  what happens
    ===  =========  =========  ======  ===========================================
    A    01-15      02-14      1000    400 paid 02-20, 600 paid 03-10 (25 days late)
    F    02-10      03-11      500     paid 03-05, on time
    D    02-01      03-02      800     open, 29 days past due at as-of
    B    03-05      04-04      2000    500 paid 03-20, 1500 open and current
    C    03-08      03-18      300     issued and paid 03-25 inside the period (7 late)
    E    03-01      03-31      700     open, due on the as-of date: current
    CN   03-12      03-12      -200    unapplied credit note
    ===  =========  =========  ======  ===========================================
    """
    return ledger(
        [
            invoice("A", "2024-01-15", "2024-02-14", 1000),
            invoice("F", "2024-02-10", "2024-03-11", 500),
            invoice("D", "2024-02-01", "2024-03-02", 800),
            invoice("B", "2024-03-05", "2024-04-04", 2000),
            invoice("C", "2024-03-08", "2024-03-18", 300),
            invoice("E", "2024-03-01", "2024-03-31", 700),
            invoice("CN", "2024-03-12", "2024-03-12", -200),
        ],
        [
            ("A", "2024-02-20", 400),
            ("A", "2024-03-10", 600),
            ("F", "2024-03-05", 500),
            ("B", "2024-03-20", 500),
            ("C", "2024-03-25", 300),
        ],
    )


def subset(book: Ledger, column: str, value: object) -> Ledger:
    """The invoices (and their payments) whose ``column`` equals ``value``."""
    keep = book.invoices[column] == value
    invoices = book.invoices[keep].reset_index(drop=True)
    payments = book.payments[book.payments["invoice_id"].isin(invoices["invoice_id"])]
    return Ledger(invoices=invoices, payments=payments.reset_index(drop=True))


def team_book() -> Ledger:
    """Three customers, two CSMs (one customer unassigned), two segments, net 30 and 60."""
    rows = [
        invoice(
            "A1",
            "2024-02-01",
            "2024-03-02",
            1000,
            customer="ACME",
            owner_email="ann@x.io",
            segment="smb",
        ),
        invoice(
            "A2",
            "2024-03-10",
            "2024-04-09",
            500,
            customer="ACME",
            owner_email="ann@x.io",
            segment="smb",
        ),
        invoice(
            "B1",
            "2024-01-20",
            "2024-03-20",
            4000,
            customer="BOLT",
            owner_email="bob@x.io",
            segment="mid",
        ),
        invoice(
            "B2",
            "2024-03-02",
            "2024-05-01",
            3000,
            customer="BOLT",
            owner_email="bob@x.io",
            segment="mid",
        ),
        invoice(
            "B3",
            "2024-03-05",
            "2024-03-05",
            -250,
            customer="BOLT",
            owner_email="bob@x.io",
            segment="mid",
        ),
        invoice("C1", "2024-03-03", "2024-04-02", 600, customer="CRUX", segment="smb"),
        invoice("C2", "2023-12-01", "2023-12-31", 900, customer="CRUX", segment="smb"),
    ]
    payments = [("A1", "2024-03-15", 1000), ("B1", "2024-03-01", 1500), ("C2", "2024-03-25", 900)]
    return ledger(rows, payments)
