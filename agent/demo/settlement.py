"""Turn settlement dates into payments (partial payers pay in parts) and invoice paid state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

METHODS: tuple[str, ...] = ("ach", "card", "wire", "check")
METHODS_BY_SEGMENT = {
    "smb": (0.40, 0.50, 0.00, 0.10),
    "mid-market": (0.60, 0.10, 0.20, 0.10),
    "enterprise": (0.45, 0.00, 0.50, 0.05),
}
PARTIAL_PAYER_SPLIT_RATE = 0.85
OTHER_SPLIT_RATE = 0.03


@dataclass(frozen=True)
class Settlement:
    """Payments made up to as-of, and each invoice's paid state at as-of."""

    payments: pd.DataFrame
    amount_paid: np.ndarray
    paid_date: np.ndarray
    paid_partially_on: np.ndarray


def settle(
    rng: np.random.Generator,
    *,
    invoices: pd.DataFrame,
    cleared_on: np.ndarray,
    accounts: pd.DataFrame,
    as_of: date,
) -> Settlement:
    """Split each invoice's settlement into payments and keep those made by ``as_of``."""
    parts = _part_counts(rng, invoices, accounts)
    rows = _payment_rows(rng, invoices, cleared_on, parts)
    rows = rows[rows["paid_on"] <= pd.Timestamp(as_of)].reset_index(drop=True)
    index = rows.pop("invoice_index").to_numpy()
    rows["method"] = _methods(rng, rows, accounts)
    rows.insert(0, "payment_id", [f"pay-{number + 1:06d}" for number in range(len(rows))])
    n = len(invoices)
    total = np.round(np.bincount(index, weights=rows["amount"].to_numpy(), minlength=n), 2)
    settled = cleared_on <= pd.Timestamp(as_of).to_datetime64()
    amount = invoices["amount"].to_numpy()
    latest = pd.Series(rows["paid_on"].to_numpy()).groupby(index).max()
    partially = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    partially[latest.index.to_numpy()] = latest.to_numpy()
    return Settlement(
        payments=rows,
        amount_paid=np.where(settled, amount, total),
        paid_date=np.where(settled, cleared_on, np.datetime64("NaT")).astype("datetime64[ns]"),
        paid_partially_on=np.where(settled, np.datetime64("NaT"), partially).astype("datetime64[ns]"),
    )


def _part_counts(rng: np.random.Generator, invoices: pd.DataFrame, accounts: pd.DataFrame) -> np.ndarray:
    archetype = invoices["customer_id"].map(accounts.set_index("account_id")["archetype"]).to_numpy()
    rate = np.where(archetype == "partial_payer", PARTIAL_PAYER_SPLIT_RATE, OTHER_SPLIT_RATE)
    split = (rng.random(len(invoices)) < rate) & (invoices["amount"].to_numpy() > 0)
    return np.where(split, rng.integers(2, 4, len(invoices)), 1)


def _payment_rows(
    rng: np.random.Generator, invoices: pd.DataFrame, cleared_on: np.ndarray, parts: np.ndarray
) -> pd.DataFrame:
    index = np.repeat(np.arange(len(invoices)), parts)
    starts = np.cumsum(parts) - parts
    position = np.arange(len(index)) - starts[index]
    last = position == parts[index] - 1
    amount = invoices["amount"].to_numpy()
    share = rng.gamma(3.0, 1.0, len(index))
    share /= np.bincount(index, weights=share)[index]
    part_amount = np.round(amount[index] * share, 2)
    before_last = np.bincount(index, weights=np.where(last, 0.0, part_amount), minlength=len(invoices))
    part_amount = np.where(last, np.round(amount[index] - before_last[index], 2), part_amount)
    issue = invoices["issue_date"].to_numpy()[index]
    span = (cleared_on[index] - issue).astype("timedelta64[D]").astype(float)
    # Earlier parts land at evenly spaced points before the clearing payment, with jitter.
    fraction = np.where(last, 1.0, (position + 1) / parts[index] * rng.uniform(0.8, 1.0, len(index)))
    days = np.clip(np.round(span * fraction), 0, span)
    return pd.DataFrame(
        {
            "invoice_index": index,
            "invoice_id": invoices["invoice_id"].to_numpy()[index],
            "customer_id": invoices["customer_id"].to_numpy()[index],
            "paid_on": (issue + days.astype("timedelta64[D]")).astype("datetime64[ns]"),
            "amount": part_amount,
            "kind": np.where(amount[index] < 0, "credit_note", "payment").astype(object),
        }
    )


def _methods(rng: np.random.Generator, rows: pd.DataFrame, accounts: pd.DataFrame) -> np.ndarray:
    """Each customer mostly pays one way; credit notes are applied, not paid (no method)."""
    preferred = _draw_by_segment(rng, accounts["segment"].to_numpy())
    position = rows["customer_id"].map(pd.Series(np.arange(len(accounts)), index=accounts["account_id"]))
    segment = accounts["segment"].to_numpy()[position.to_numpy()]
    method = np.where(
        rng.random(len(rows)) < 0.85, preferred[position.to_numpy()], _draw_by_segment(rng, segment)
    )
    method[(rows["kind"] == "credit_note").to_numpy()] = None
    return method


def _draw_by_segment(rng: np.random.Generator, segment: np.ndarray) -> np.ndarray:
    method = np.empty(len(segment), dtype=object)
    for name, weights in METHODS_BY_SEGMENT.items():
        mask = segment == name
        method[mask] = rng.choice(np.array(METHODS, dtype=object), size=int(mask.sum()), p=weights)
    return method
