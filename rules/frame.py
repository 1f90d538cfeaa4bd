"""Column sets the compiled rules read: one numpy array per catalogue field.

Dates are day numbers (float, NaN when missing), text is an object array, booleans are
never missing. ``previous(name, days)`` aligns the same field as of ``days`` earlier by
row key; rows that did not exist then are missing. Keys are integers where possible (the
context builder uses ledger row positions and account codes): aligning a million
integer keys is several times faster than a million id strings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

import numpy as np
import pandas as pd

from rules.catalogue import CATALOGUE, Kind
from rules.expr.tokens import day_number

History = Callable[[int], "ColumnFrame | None"]


class ColumnFrame:
    """Rows of one scope (open invoices or accounts) as of one day."""

    def __init__(
        self,
        data: Mapping[str, np.ndarray],
        keys: np.ndarray,
        as_of: date,
        history: History | None = None,
        ids: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        self.data = dict(data)
        self.keys = keys
        self.as_of = as_of
        self.ids = dict(ids or {})
        self._history = history
        self._aligned: dict[int, np.ndarray] = {}

    @property
    def size(self) -> int:
        return len(self.keys)

    @property
    def today(self) -> float:
        return float(day_number(self.as_of))

    def column(self, name: str) -> np.ndarray:
        return self.data[name]

    def previous(self, name: str, days: int) -> np.ndarray:
        """``name`` as of ``days`` earlier, row-aligned; missing where the row did not exist."""
        past = self._history(days) if self._history else None
        if past is None:
            return missing_column(name, self.size)
        indexer = self._aligned.get(days)
        if indexer is None:
            indexer = self._aligned[days] = pd.Index(past.keys).get_indexer(self.keys)
        values = past.column(name)[np.maximum(indexer, 0)] if past.size else missing_column(name, self.size)
        return _blank(values, indexer < 0, name)

    def to_pandas(self) -> pd.DataFrame:
        """The columns as a DataFrame (for display and tests)."""
        return pd.DataFrame({**self.ids, **self.data})


def missing_column(name: str, size: int) -> np.ndarray:
    kind = CATALOGUE[name].type.kind
    if kind == Kind.BOOL:
        return np.zeros(size, dtype=bool)
    if kind in (Kind.STRING, Kind.ENUM):
        return np.full(size, None, dtype=object)
    return np.full(size, np.nan)


def _blank(values: np.ndarray, where: np.ndarray, name: str) -> np.ndarray:
    if not where.any():
        return values
    out = values.copy()
    out[where] = missing_column(name, 1)[0]
    return out


def day_numbers(values: pd.Series | np.ndarray) -> np.ndarray:
    """datetime64 values as float day numbers since 1970-01-01, NaN for NaT."""
    array = np.asarray(values, dtype="datetime64[ns]")
    out = array.astype("datetime64[D]").astype("int64").astype(float)
    out[np.isnat(array)] = np.nan
    return out
