"""Exchange rates to the reporting currency: every amount is converted before it is summed."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from agent.settings import Settings


class UnknownCurrencyError(ValueError):
    """The ledger holds a currency the rates table cannot convert."""


@dataclass(frozen=True)
class Rates:
    """How many units of ``reporting_currency`` one unit of each currency is worth."""

    reporting_currency: str
    to_reporting: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for currency, rate in self.to_reporting.items():
            if not (isinstance(rate, int | float) and math.isfinite(rate) and rate > 0):
                raise ValueError(f"rate for {currency}: {rate!r} is not a positive number")

    @classmethod
    def default(cls, **overrides: float) -> Rates:
        """From settings: ``NUDGE_REPORTING_CURRENCY`` and ``NUDGE_FX_RATES``, then ``overrides``."""
        from agent.settings import get_settings

        return cls.from_settings(get_settings(), **overrides)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: float) -> Rates:
        """The reporting currency and rates of ``settings`` (e.g. the app's), then ``overrides``."""
        return cls(settings.reporting_currency, {**settings.fx_rates, **overrides})

    def rate(self, currency: str) -> float:
        """The factor converting ``currency`` to the reporting currency."""
        if currency == self.reporting_currency:
            return 1.0
        if currency not in self.to_reporting:
            known = ", ".join(sorted({self.reporting_currency, *self.to_reporting}))
            raise UnknownCurrencyError(
                f"no exchange rate from {currency} to {self.reporting_currency} "
                f"(known: {known}); add a rate for {currency}"
            )
        return float(self.to_reporting[currency])

    def factors(self, currencies: pd.Series) -> np.ndarray:
        """One conversion factor per row of ``currencies``."""
        values = currencies.to_numpy()
        factors = np.ones(values.size)
        # Most books are mostly in the reporting currency: hash only the other rows.
        foreign = np.flatnonzero(values != self.reporting_currency)
        if foreign.size:
            codes, uniques = pd.factorize(values[foreign])
            if (codes < 0).any():
                raise UnknownCurrencyError("an invoice has no currency")
            table = np.array([self.rate(str(currency)) for currency in uniques], dtype=float)
            factors[foreign] = table[codes]
        return factors
