"""Receivables metrics (DSO and its variants, aging, CEI, trends, cash forecast) over a ledger.

Definitions and conventions: ``agent/metrics/README.md``.
"""

from agent.metrics.forecast import Forecast, ForecastWeek, cash_forecast
from agent.metrics.rates import Rates, UnknownCurrencyError
from agent.metrics.schemas import Breakdown, Metrics
from agent.metrics.service import compute_breakdown, compute_metrics, terms_gap
from agent.metrics.trend import TrendPoint, monthly_trend, snapshot_rows

__all__ = [
    "Breakdown",
    "Forecast",
    "ForecastWeek",
    "Metrics",
    "Rates",
    "TrendPoint",
    "UnknownCurrencyError",
    "cash_forecast",
    "compute_breakdown",
    "compute_metrics",
    "monthly_trend",
    "snapshot_rows",
    "terms_gap",
]
