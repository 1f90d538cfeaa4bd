"""Shared demo books for the demo tests (built once per process and cached)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd

from agent.demo import DemoBook, build_demo_book

AS_OF = date(2026, 11, 20)
AGING_EDGES = (-(10**6), 0, 30, 60, 90, 10**6)
AGING_LABELS = ("current", "1-30", "31-60", "61-90", "91+")


@lru_cache(maxsize=4)
def demo_book(seed: int = 7, as_of: date = AS_OF, accounts: int = 320) -> DemoBook:
    """The demo book for these arguments (cached: tests must not mutate it)."""
    return build_demo_book(seed=seed, as_of=as_of, accounts=accounts)


def aging_buckets(invoices: pd.DataFrame, as_of: date) -> pd.Series:
    """Aging bucket of each open invoice at ``as_of``."""
    open_rows = invoices[invoices["paid_date"].isna()]
    days_past_due = (pd.Timestamp(as_of) - open_rows["due_date"]).dt.days
    return pd.cut(days_past_due, list(AGING_EDGES), labels=list(AGING_LABELS)).astype(str)


def prior_late_rates(invoices: pd.DataFrame, *, minimum_history: int = 3) -> pd.DataFrame:
    """Per settled invoice: its customer's late rate over invoices settled before its issue.

    As-of correct: only invoices whose payment had cleared before the issue date count.
    Rows with fewer than ``minimum_history`` such invoices are left out.
    """
    settled = invoices[(invoices["amount"] > 0) & invoices["paid_date"].notna()].copy()
    settled["late"] = settled["paid_date"] > settled["due_date"]
    frames = []
    for _, group in settled.groupby("customer_id"):
        history = group.sort_values("paid_date")
        cleared = history["paid_date"].to_numpy()
        late_so_far = np.concatenate([[0], np.cumsum(history["late"].to_numpy())])
        known = np.searchsorted(cleared, group["issue_date"].to_numpy(), side="left")
        rate = late_so_far[known] / np.maximum(known, 1)
        frames.append(
            pd.DataFrame({"prior_late_rate": rate, "late": group["late"].to_numpy(), "known": known})
        )
    rates = pd.concat(frames, ignore_index=True)
    return rates[rates["known"] >= minimum_history].reset_index(drop=True)
