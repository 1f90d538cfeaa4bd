"""Write the demo book's invoices as the canonical invoice CSV of DESIGN.md."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from agent.demo.book import DemoBook
from connectors.csv.cells import write_csv
from connectors.csv.columns import CANONICAL_COLUMNS, DATE_FIELDS


def write_canonical_csv(book: DemoBook, path: Path) -> int:
    """Write ``book.invoices`` to ``path`` in the canonical layout; return the row count.

    A settled invoice carries ``amount_paid`` = ``amount`` (credit notes included); an open
    one carries what was paid so far and, if anything, the latest partial payment date.
    """
    invoices = book.invoices
    out = invoices.loc[:, list(CANONICAL_COLUMNS)].copy()
    for name in DATE_FIELDS:
        out[name] = out[name].dt.strftime("%Y-%m-%d").fillna("")
    settled = invoices["paid_date"].notna().to_numpy()
    paid = np.where(settled, invoices["amount"].to_numpy(), invoices["amount_paid"].to_numpy())
    out["amount"] = _money(invoices["amount"].to_numpy())
    out["amount_paid"] = _money(paid)
    out["disputed"] = np.where(invoices["disputed"].to_numpy(), "true", "false")
    return write_csv(path, list(out.columns), out.itertuples(index=False, name=None))


def _money(values: np.ndarray) -> pd.Series:
    """Two decimals, no float artefacts (``-0.00`` becomes ``0.00``)."""
    return pd.Series([f"{value:.2f}" for value in np.round(values, 2) + 0.0])
