"""Typed results of the metrics engine; ``to_dict()`` gives the JSON names of DESIGN.md."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from agent.metrics.derive import METRIC_NAMES, MetricArrays
from agent.metrics.sums import AGING_COLUMNS
from ledger.aging import AGING_BUCKETS

MONEY: frozenset[str] = frozenset({"ar", "credit_sales"})


def _number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _rounded(name: str, value: float | None) -> float | None:
    """Cents for money, six decimals for days and ratios: no float noise in JSON."""
    if value is None:
        return None
    return round(value, 2 if name in MONEY else 6)


@dataclass(frozen=True)
class Metrics:
    """Receivables metrics for one book or group at ``as_of`` over ``period_days``.

    A metric that cannot be defined is ``None`` and ``undefined[name]`` says why.
    """

    as_of: date
    period_days: int
    currency: str
    ar: float
    credit_sales: float
    dso: float | None
    dso_average_ar: float | None
    best_possible_dso: float | None
    delinquent_dso: float | None
    countback_dso: float | None
    cei: float | None
    aging: dict[str, float]
    percent_current: float | None
    late_rate: float | None
    average_days_to_pay: float | None
    average_days_late: float | None
    weighted_terms_days: float | None
    undefined: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_arrays(
        cls, arrays: MetricArrays, position: int, *, as_of: date, period_days: int, currency: str
    ) -> Metrics:
        """The metrics of group ``position`` of ``arrays``."""
        values = {name: _number(arrays.values[name][position]) for name in METRIC_NAMES}
        reasons = {
            name: str(reason[position])
            for name, reason in arrays.reasons.items()
            if reason[position] is not None
        }
        aging = dict(zip(AGING_BUCKETS, arrays.aging[position].tolist(), strict=True))
        return cls(
            as_of=as_of,
            period_days=period_days,
            currency=currency,
            aging=aging,
            undefined=reasons,
            **values,  # type: ignore[arg-type]
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping: metric names at top level, dates as ISO strings."""
        out: dict[str, Any] = {
            "as_of": self.as_of.isoformat(),
            "period_days": self.period_days,
            "currency": self.currency,
        }
        for name in METRIC_NAMES:
            out[name] = _rounded(name, getattr(self, name))
        out["aging"] = {bucket: round(value, 2) for bucket, value in self.aging.items()}
        out["undefined"] = dict(self.undefined)
        return out


@dataclass(frozen=True)
class Breakdown(Mapping[str, Metrics]):
    """The same metrics per group (e.g. per customer), plus ``total`` for the whole book.

    Values stay in columnar arrays; a group's :class:`Metrics` is built when asked for,
    so a breakdown over 100,000 customers costs no Python object per customer.
    """

    by: str
    labels: np.ndarray
    arrays: MetricArrays
    total: Metrics

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {str(key): position for position, key in enumerate(self.labels)}

    def __getitem__(self, key: str) -> Metrics:
        position = self._positions[key]
        return Metrics.from_arrays(
            self.arrays,
            position,
            as_of=self.total.as_of,
            period_days=self.total.period_days,
            currency=self.total.currency,
        )

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._positions))

    def __len__(self) -> int:
        return int(self.labels.size)

    def frame(self) -> pd.DataFrame:
        """One row per group, a column per metric and aging bucket, NaN where undefined."""
        columns = dict(self.arrays.values)
        for position, name in enumerate(AGING_COLUMNS):
            columns[name] = self.arrays.aging[:, position]
        return pd.DataFrame(columns, index=pd.Index(self.labels.astype(str), name=self.by))

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """Group key -> that group's ``Metrics.to_dict()``, keys sorted."""
        return {key: self[key].to_dict() for key in self}
