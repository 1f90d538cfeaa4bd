"""As-of lookups: per-customer cumulative sums of dated events, read strictly before a date.

Events (a settled invoice, a broken promise, a CRM snapshot...) are sorted once by
(customer, day) into one int64 key; a query (customer, day) is a single
``np.searchsorted`` on that key, so millions of lookups cost one vectorised pass and no
per-row Python. "Strictly before" is what keeps the future out: an event dated on the
scoring day itself is not yet known.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# Days since 1970 stay far below 2**20 (year 4840), so (code << 20) + day sorts by
# customer, then day, inside an int64 for up to 2**43 customers.
_DAY_BITS = 20
_DAY_OFFSET = 1 << 18  # lets dates before 1970 stay positive


def day_numbers(dates: pd.Series | pd.DatetimeIndex | np.ndarray) -> np.ndarray:
    """Whole days since 1970-01-01 as int64 (NaT must be filtered out by the caller)."""
    values = np.asarray(dates, dtype="datetime64[ns]")
    return values.astype("datetime64[D]").astype(np.int64)


def _keys(codes: np.ndarray, days: np.ndarray) -> np.ndarray:
    return (codes.astype(np.int64) << _DAY_BITS) + days.astype(np.int64) + _DAY_OFFSET


@dataclass(frozen=True)
class EventIndex:
    """Dated events of many customers with per-customer running totals.

    ``totals[name][i]`` is the sum of ``name`` over the customer's events up to and
    including event ``i`` (in key order); ``rank[i]`` counts them (1-based).
    """

    keys: np.ndarray  # (customer << _DAY_BITS) + day + _DAY_OFFSET, sorted
    rank: np.ndarray
    totals: dict[str, np.ndarray]
    values: dict[str, np.ndarray]

    @classmethod
    def build(
        cls,
        codes: np.ndarray,
        days: np.ndarray,
        values: dict[str, np.ndarray],
        *,
        running_max: tuple[str, ...] = (),
        keep: tuple[str, ...] = (),
        aggregate: bool = False,
    ) -> EventIndex:
        """Sort events by (customer, day) and accumulate each value per customer.

        Names in ``running_max`` get a running maximum (stored as ``max_<name>``) too;
        names in ``keep`` keep their per-event values for :meth:`value` (the others
        keep only their running totals). With ``aggregate``, events of one group on one
        day are merged first (summed, counted): for groups with many events a day (a
        segment, the whole book) the index shrinks to one entry per group and day, and
        counts and totals stay exact; :meth:`total_last` then counts days, not events.
        """
        if aggregate and (running_max or keep):
            raise ValueError("an aggregated index keeps totals only")
        known = codes >= 0  # events of customers outside the ledger can never be asked for
        keys = _keys(codes[known], days[known])
        names = list(values)
        matrix = np.empty((len(keys), len(names)))
        for j, name in enumerate(names):
            matrix[:, j] = np.asarray(values[name], dtype=float)[known]
        events: np.ndarray | None = None
        if aggregate:
            frame = pd.DataFrame(matrix, columns=names, copy=False).assign(_events=1.0)
            summed = frame.groupby(keys, sort=True).sum()
            keys, events = summed.index.to_numpy(dtype=np.int64), summed.pop("_events").to_numpy()
            matrix = summed.to_numpy(dtype=float)
        else:
            order = np.argsort(keys, kind="stable")
            keys, matrix = keys[order], matrix[order]
        groups = _group_labels(keys >> _DAY_BITS)
        if events is None:
            starts = np.flatnonzero(np.diff(groups, prepend=-1))
            rank = (np.arange(len(keys)) - starts[groups] + 1).astype(float)
        else:
            rank = pd.Series(events).groupby(groups, sort=False).cumsum().to_numpy(dtype=float)
        sorted_values = pd.DataFrame(matrix, columns=names, copy=False)
        grouped = sorted_values.groupby(groups, sort=False)
        cumulative = np.asfortranarray(grouped.cumsum().to_numpy(dtype=float)) if names else matrix
        totals = {name: cumulative[:, j] for j, name in enumerate(names)}
        if running_max:
            highest = grouped[list(running_max)].cummax()
            totals.update({f"max_{name}": highest[name].to_numpy(dtype=float) for name in running_max})
        kept = {name: np.ascontiguousarray(matrix[:, names.index(name)]) for name in keep}
        return cls(keys, rank, totals, kept)

    def last_before(self, codes: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Position of each query's customer's last event strictly before its day, or -1."""
        if len(self.keys) == 0:
            return np.full(len(codes), -1, dtype=np.int64)
        pos = np.searchsorted(self.keys, _keys(codes, days), side="left") - 1
        found = pos >= 0
        found[found] = (self.keys[pos[found]] >> _DAY_BITS) == codes[found]
        return np.where(found, pos, -1)

    def count(self, pos: np.ndarray) -> np.ndarray:
        """Number of events at or before ``pos`` (0 where ``pos`` is -1)."""
        return _gather(self.rank, pos, 0.0)

    def total(self, name: str, pos: np.ndarray) -> np.ndarray:
        """Running total of ``name`` at ``pos`` (0 where ``pos`` is -1)."""
        return _gather(self.totals[name], pos, 0.0)

    def running_max(self, name: str, pos: np.ndarray) -> np.ndarray:
        """Largest ``name`` among the customer's events up to ``pos`` (NaN where -1)."""
        return _gather(self.totals[f"max_{name}"], pos, np.nan)

    def total_last(self, name: str, pos: np.ndarray, k: int) -> np.ndarray:
        """Sum of ``name`` over the customer's last ``k`` events up to ``pos``."""
        n = self.count(pos)
        head = self.total(name, np.where(n > k, pos - k, -1))
        return self.total(name, pos) - head

    def value(self, name: str, pos: np.ndarray) -> np.ndarray:
        """The event's own ``name`` at ``pos`` (NaN where ``pos`` is -1)."""
        return _gather(self.values[name], pos, np.nan)

    def day(self, pos: np.ndarray) -> np.ndarray:
        """The event's day number at ``pos`` (NaN where ``pos`` is -1)."""
        if len(self.keys) == 0:
            return np.full(len(pos), np.nan)
        days = (self.keys[np.maximum(pos, 0)] & ((1 << _DAY_BITS) - 1)) - _DAY_OFFSET
        return np.where(pos >= 0, days, np.nan)


def _gather(array: np.ndarray, pos: np.ndarray, fill: float) -> np.ndarray:
    """``array[pos]`` as floats, ``fill`` where ``pos`` is -1 (or nothing was indexed)."""
    if len(array) == 0:
        return np.full(len(pos), fill)
    return np.where(pos >= 0, array[np.maximum(pos, 0)], fill).astype(float)


def _group_labels(codes: np.ndarray) -> np.ndarray:
    """0, 1, 2... per run of equal (sorted) codes.

    Running totals use pandas' grouped cumsum rather than a global cumsum minus group
    offsets, which would lose precision when earlier groups hold large totals.
    """
    if len(codes) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate(([0], np.cumsum(codes[1:] != codes[:-1]))).astype(np.int64)
