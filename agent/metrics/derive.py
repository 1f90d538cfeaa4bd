"""Metric values from per-group totals, all groups at once.

A metric that is undefined for a group is NaN in its array and has a reason in the
matching reasons array; the typed results turn NaN into ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agent.metrics.sums import GroupSums, Window

# Sums below this are float noise of balances that cancel out (e.g. 0.1 + 0.2 - 0.3).
EPSILON = 1e-6
NO_SALES = "no credit sales in the period"
NEGATIVE_SALES = "credit notes exceed sales in the period"
NO_BALANCE = "no open balance at the as-of date"
CREDIT_BALANCE = "the open balance is negative (credit notes exceed invoices)"
NOTHING_COLLECTIBLE = "nothing was collectible in the period"
NO_PAYMENTS = "no invoices were paid in the period"
NO_INVOICES = "no invoices were issued in the period"
SHORT_HISTORY = "the open balance exceeds the sales history"

METRIC_NAMES: tuple[str, ...] = (
    "ar",
    "credit_sales",
    "dso",
    "dso_average_ar",
    "best_possible_dso",
    "delinquent_dso",
    "countback_dso",
    "cei",
    "percent_current",
    "late_rate",
    "average_days_to_pay",
    "average_days_late",
    "weighted_terms_days",
)


@dataclass(frozen=True)
class MetricArrays:
    """Metric name -> values per group (NaN when undefined) and the reasons they are."""

    values: dict[str, np.ndarray]
    reasons: dict[str, np.ndarray]
    aging: np.ndarray  # (G, 5)


def _snap(values: np.ndarray) -> np.ndarray:
    return np.where(np.abs(values) < EPSILON, 0.0, values)


def _ratio(top: np.ndarray, bottom: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """``top / bottom * scale`` where bottom > 0, else NaN."""
    safe = np.where(bottom > 0, bottom, 1.0)
    return np.where(bottom > 0, top / safe * scale, np.nan)


def _reason(*conditions: tuple[np.ndarray, str]) -> np.ndarray:
    """The first reason whose condition holds, per group (None where none does)."""
    size = conditions[0][0].shape[0]
    out = np.full(size, None, dtype=object)
    for condition, text in reversed(conditions):
        out[condition] = text
    return out


def derive(sums: GroupSums, window: Window) -> MetricArrays:
    """Every metric for every group of ``sums``."""
    period_days = window.days
    aging = _snap(sums.aging)
    ar, current = _snap(aging.sum(axis=1)), aging[:, 0]
    sales, opening = _snap(sums.sales), _snap(sums.opening)
    sales_reason = _reason((sales == 0, NO_SALES), (sales < 0, NEGATIVE_SALES))
    balance_reason = _reason((ar == 0, NO_BALANCE), (ar < 0, CREDIT_BALANCE))
    dso = _ratio(ar, sales, period_days)
    best = _ratio(current, sales, period_days)
    collectible = _snap(opening + sales - current)
    lengths = month_lengths(window, sums.monthly_sales.shape[1])
    countback, countback_reason = countback_dso(ar, sums.monthly_sales, lengths)
    values = {
        "ar": ar,
        "credit_sales": sales,
        "dso": dso,
        "dso_average_ar": _ratio(sums.balance_days, sales),
        "best_possible_dso": best,
        "delinquent_dso": dso - best,
        "countback_dso": countback,
        "cei": _ratio(opening + sales - ar, collectible, 100.0),
        "percent_current": _ratio(current, ar, 100.0),
        "late_rate": _ratio(sums.late_count, sums.paid_count),
        "average_days_to_pay": _ratio(sums.paid_days, sums.paid_amount),
        "average_days_late": _ratio(sums.late_days, sums.paid_amount),
        "weighted_terms_days": _ratio(sums.terms_days, sums.terms_amount),
    }
    paid_reason = _reason((sums.paid_amount <= 0, NO_PAYMENTS))
    reasons = {
        "dso": sales_reason,
        "dso_average_ar": sales_reason,
        "best_possible_dso": sales_reason,
        "delinquent_dso": sales_reason,
        "countback_dso": countback_reason,
        "cei": _reason((collectible <= 0, NOTHING_COLLECTIBLE)),
        "percent_current": balance_reason,
        "late_rate": paid_reason,
        "average_days_to_pay": paid_reason,
        "average_days_late": paid_reason,
        "weighted_terms_days": _reason((sums.terms_amount <= 0, NO_INVOICES)),
    }
    return MetricArrays(values=values, reasons=reasons, aging=aging)


def month_lengths(window: Window, months: int) -> np.ndarray:
    """Days counted in each month walking back from as-of (the as-of month up to as-of)."""
    month = np.datetime64(window.as_of, "M") - np.arange(months)
    lengths = ((month + 1).astype("datetime64[D]") - month.astype("datetime64[D]")).astype(np.int64)
    lengths[0] = window.as_of.day
    return lengths


def countback_dso(
    ar: np.ndarray, monthly_sales: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Walk back month by month, taking each month's sales off ar and adding its days.

    The month where ar runs out adds the fraction of its days that ar still covers.
    Months whose net sales are not positive add their days and take nothing off.
    """
    sales = np.clip(monthly_sales, 0.0, None)
    covered = np.cumsum(sales, axis=1)
    reached = covered >= (ar - EPSILON)[:, None]
    found = reached.any(axis=1)
    month = reached.argmax(axis=1)
    rows = np.arange(ar.size)
    month_sales = sales[rows, month]
    before = covered[rows, month] - month_sales
    fraction = np.clip((ar - before) / np.where(month_sales > 0, month_sales, 1.0), 0.0, 1.0)
    days = np.cumsum(lengths)[month] - lengths[month] + fraction * lengths[month]
    values = np.where(ar > 0, np.where(found, days, np.nan), np.where(ar == 0, 0.0, np.nan))
    reason = _reason((ar < 0, CREDIT_BALANCE), ((ar > 0) & ~found, SHORT_HISTORY))
    return values, reason
