"""Builders of realistic small ledgers for the model's tests."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ledger.frame import Ledger


def invoice(
    invoice_id: str,
    customer_id: str,
    issue: str,
    *,
    terms: int = 30,
    paid: str | None = None,
    amount: float = 1000.0,
    disputed: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """One invoice row in ledger columns (dates as ISO text)."""
    issue_date = pd.Timestamp(issue)
    return {
        "invoice_id": invoice_id,
        "customer_id": customer_id,
        "issue_date": issue_date,
        "due_date": issue_date + pd.Timedelta(days=terms),
        "amount": amount,
        "paid_date": pd.Timestamp(paid) if paid else pd.NaT,
        "disputed": disputed,
        **extra,
    }


def ledger_of(*rows: dict[str, Any]) -> Ledger:
    """A ledger from invoice rows."""
    return Ledger.from_invoices(pd.DataFrame(list(rows)))


def habit_book(
    customers: int = 60, per_customer: int = 24, seed: int = 0, start: str = "2024-01-01"
) -> pd.DataFrame:
    """Invoices of customers with steady habits: some pay early, some chronically late.

    Each customer is invoiced about monthly; disputes add lateness. Every invoice is
    settled (callers blank the ones they want open).
    """
    rng = np.random.default_rng(seed)
    late_rate = rng.beta(1.2, 2.0, customers)
    delay = rng.gamma(2.0, 5.0, customers)
    size = rng.lognormal(7.0, 0.8, customers)
    who = np.repeat(np.arange(customers), per_customer)
    step = np.tile(np.arange(per_customer), customers)
    issue = pd.Timestamp(start) + pd.to_timedelta(step * 30 + rng.integers(0, 20, len(who)), "D")
    disputed = rng.random(len(who)) < 0.1
    late = rng.random(len(who)) < np.clip(late_rate[who] + 0.4 * disputed, 0, 1)
    days_vs_due = np.where(late, 1 + rng.poisson(delay[who]), -rng.integers(0, 25, len(who)))
    return pd.DataFrame(
        {
            "invoice_id": [f"INV{i:05d}" for i in range(len(who))],
            "customer_id": [f"CUST{c:03d}" for c in who],
            "issue_date": issue,
            "due_date": issue + pd.Timedelta(days=30),
            "amount": np.round(size[who] * rng.lognormal(0, 0.3, len(who)), 2),
            "paid_date": issue + pd.to_timedelta(30 + days_vs_due, "D"),
            "disputed": disputed,
            "delivery_channel": np.where(who % 3 == 0, "Paper", "Electronic"),
        }
    )


def known_at(book: pd.DataFrame, day: str) -> pd.DataFrame:
    """The book as it looked at the end of ``day``: later invoices gone, later payments blank."""
    when = pd.Timestamp(day)
    seen = book[book["issue_date"] <= when].copy()
    seen["paid_date"] = seen["paid_date"].where(seen["paid_date"] <= when)
    return seen.reset_index(drop=True)
