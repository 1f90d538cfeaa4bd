"""Charts of the receivables metrics: DSO trend, aging and cash forecast, in the reporting currency."""

from __future__ import annotations

from datetime import date

from agent.metrics.forecast import Forecast
from agent.metrics.history import Trend
from agent.metrics.schemas import Metrics
from agent.web.charts import AGING_COLOURS, SERIES_COLOURS, BarChart, LineChart, bar_chart, line_chart
from agent.web.format import compact_money

FORECAST_COLOUR = "#3b5bdb"
TREND_SERIES = {
    "DSO": "dso",
    "Best possible DSO": "best_possible_dso",
    "Delinquent DSO": "delinquent_dso",
}
ROLLING = "3-month rolling DSO"
# The same line has the same colour on every page.
TREND_COLOURS = dict(zip([*TREND_SERIES, ROLLING], SERIES_COLOURS, strict=False))


def month_captions(months: list[str]) -> list[str]:
    """``2025-12, 2026-01, 2026-02`` -> ``Dec ’25, Jan ’26, Feb``: the year where it starts or changes."""
    captions = []
    for index, month in enumerate(months):
        shown = date.fromisoformat(f"{month}-01")
        with_year = index == 0 or shown.month == 1
        captions.append(shown.strftime("%b ’%y" if with_year else "%b"))
    return captions


def trend_chart(trend: Trend) -> LineChart:
    """DSO, best possible and delinquent DSO per month, and the 3-month rolling DSO."""
    months = [p.month for p in trend.points]
    series = {name: [getattr(p.metrics, field) for p in trend.points] for name, field in TREND_SERIES.items()}
    series[ROLLING] = [p.rolling_dso_3m for p in trend.points]
    return line_chart(
        "DSO by month (days)",
        months,
        series,
        width=1100,
        height=300,
        captions=month_captions(months),
        colours=TREND_COLOURS,
    )


def account_trend_chart(trend: Trend) -> LineChart:
    """An account's DSO and 3-month rolling DSO per month (a small chart)."""
    months = [p.month for p in trend.points]
    series = {
        "DSO": [p.metrics.dso for p in trend.points],
        ROLLING: [p.rolling_dso_3m for p in trend.points],
    }
    return line_chart(
        "DSO by month (days)",
        months,
        series,
        width=560,
        height=240,
        captions=month_captions(months),
        colours=TREND_COLOURS,
    )


def aging_chart(metrics: Metrics) -> BarChart:
    """Open balance per aging bucket, in the reporting currency."""
    buckets = list(AGING_COLOURS)
    values = [metrics.aging[bucket] for bucket in buckets]
    return bar_chart(
        f"Aging ({metrics.currency})",
        buckets,
        values,
        [compact_money(value, metrics.currency) for value in values],
        list(AGING_COLOURS.values()),
    )


def forecast_chart(forecast: Forecast) -> BarChart:
    """Expected collections per week; bars are labelled by the week's first day."""
    weeks = forecast.weeks
    values = [week.expected_amount for week in weeks]
    return bar_chart(
        f"Expected collections by week ({forecast.currency})",
        [week.week_start.isoformat() for week in weeks],
        values,
        [compact_money(value, forecast.currency) for value in values],
        [FORECAST_COLOUR] * len(weeks),
        captions=[week.week_start.strftime("%b %-d") for week in weeks],
    )
