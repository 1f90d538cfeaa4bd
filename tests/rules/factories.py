"""Builders for rule tests: column frames over the whole catalogue and small hand-made ledgers."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ledger.frame import Ledger
from rules.catalogue import CATALOGUE, Kind
from rules.expr.tokens import day_number
from rules.frame import ColumnFrame, History, missing_column

AS_OF = date(2024, 3, 1)


def frame(
    columns: dict[str, list[Any]], *, as_of: date = AS_OF, history: History | None = None
) -> ColumnFrame:
    """A frame whose given columns hold these values and every other field is missing.

    Dates are given as ``date`` objects (or None) and converted to day numbers.
    """
    size = len(next(iter(columns.values())))
    data = {name: missing_column(name, size) for name in CATALOGUE}
    for name, values in columns.items():
        data[name] = _array(name, values)
    keys = np.array([f"inv-{i}" for i in range(size)], dtype=object)
    ids = {
        "invoice_id": keys,
        "customer_id": np.array([f"c-{i}" for i in range(size)], dtype=object),
    }
    return ColumnFrame(data, keys, as_of, history, ids)


def _array(name: str, values: list[Any]) -> np.ndarray:
    kind = CATALOGUE[name].type.kind
    if kind == Kind.DATE:
        return np.array([np.nan if v is None else float(day_number(v)) for v in values])
    if kind == Kind.BOOL:
        return np.array(values, dtype=bool)
    if kind in (Kind.STRING, Kind.ENUM):
        return np.array(values, dtype=object)
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def invoice(
    invoice_id: str,
    customer_id: str,
    issued: str,
    due: str,
    amount: float,
    paid: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One ledger invoice row; ``paid`` is the settlement date (None while open)."""
    return {
        "invoice_id": invoice_id,
        "customer_id": customer_id,
        "customer_name": f"{customer_id} Ltd",
        "issue_date": issued,
        "due_date": due,
        "amount": amount,
        "currency": "EUR",
        "paid_date": paid,
        "disputed": False,
        **extra,
    }


def ledger(*rows: dict[str, Any]) -> Ledger:
    """A ledger from invoice rows (payments derived from the paid dates)."""
    frame_ = pd.DataFrame(rows)
    for column in ("issue_date", "due_date", "paid_date"):
        frame_[column] = pd.to_datetime(frame_[column])
    return Ledger.from_invoices(frame_)


SMALL_BOOK_ROWS = (
    invoice("A1", "A", "2024-01-01", "2024-01-31", 1000.0, "2024-02-10"),
    invoice("A2", "A", "2024-02-01", "2024-02-20", 500.0, "2024-02-18"),
    invoice("A3", "A", "2024-02-15", "2024-03-16", 2000.0),
    invoice("B1", "B", "2024-01-10", "2024-02-09", 3000.0, "2024-03-20"),
    invoice("C1", "C", "2023-12-01", "2023-12-31", 100.0, "2023-12-20"),
)


def small_book() -> Ledger:
    """Three customers whose answers are worked out by hand in the tests.

    A1 paid 10 days late; A2 paid two days early; A3 open; B1 paid 39 days late;
    C1 (an old invoice) paid on time.
    """
    return ledger(*SMALL_BOOK_ROWS)


def small_book_csv() -> str:
    """:func:`small_book` in the canonical CSV layout."""
    header = "invoice_id,customer_id,customer_name,issue_date,due_date,amount,currency,paid_date,"
    lines = [header + "amount_paid,disputed"]
    for row in SMALL_BOOK_ROWS:
        paid = row["paid_date"] or ""
        amount_paid = f"{row['amount']:.2f}" if paid else ""
        lines.append(
            f"{row['invoice_id']},{row['customer_id']},{row['customer_name']},{row['issue_date']},"
            f"{row['due_date']},{row['amount']:.2f},EUR,{paid},{amount_paid},false"
        )
    return "\n".join(lines) + "\n"
