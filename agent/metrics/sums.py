"""Additive per-group totals at an as-of date: one pass of ``np.bincount`` per quantity.

Every metric is a ratio of these totals, so the totals of all groups add up to the
totals of the whole book and the overall metrics cost one sum over groups.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date

import numpy as np

from agent.metrics.book import Book, day_number
from ledger.aging import aging_positions

# The aging buckets of ``ledger.aging`` as column names (frames, snapshot tables).
AGING_COLUMNS: tuple[str, ...] = (
    "aging_current",
    "aging_1_30",
    "aging_31_60",
    "aging_61_90",
    "aging_91_plus",
)


@dataclass(frozen=True)
class Window:
    """An as-of date and the period of ``days`` days ending on it, inclusive."""

    as_of: date
    days: int

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError(f"period_days must be at least 1, got {self.days}")

    @property
    def end(self) -> int:
        """Day number of the as-of date."""
        return day_number(self.as_of)

    @property
    def start(self) -> int:
        """Day number of the first day of the period."""
        return self.end - self.days + 1


@dataclass(frozen=True)
class GroupSums:
    """Per-group totals; every array has one row per group."""

    aging: np.ndarray  # (G, 5) open balance at as-of per bucket
    opening: np.ndarray  # open balance at the end of the day before the period
    balance_days: np.ndarray  # sum over the period's days of the end-of-day balance
    sales: np.ndarray  # invoiced amount dated in the period (credit notes net)
    paid_count: np.ndarray  # invoices settled in the period
    late_count: np.ndarray  # ... of which settled after their due date
    paid_amount: np.ndarray  # amount of invoices settled in the period
    paid_days: np.ndarray  # amount x days from issue to settlement
    late_days: np.ndarray  # amount x days past due at settlement
    terms_amount: np.ndarray  # amount of (positive) invoices issued in the period
    terms_days: np.ndarray  # amount x terms of those invoices
    monthly_sales: np.ndarray  # (G, K) sales of month k before the as-of month (k=0: to date)

    def total(self) -> GroupSums:
        """The totals of all groups together, as a single group."""
        return GroupSums(**{f.name: getattr(self, f.name).sum(axis=0, keepdims=True) for f in fields(self)})

    def row(self, position: int) -> GroupSums:
        """One group's totals, as a single group."""
        picked = slice(position, position + 1)
        return replace(self, **{f.name: getattr(self, f.name)[picked] for f in fields(self)})


def _days_in_period(day: np.ndarray, window: Window) -> np.ndarray:
    """How many days of the period end on or after ``day`` (0 if after the period)."""
    return np.clip(window.end - np.maximum(day, window.start) + 1, 0, window.days)


def _by_group(codes: np.ndarray, groups: int, weights: np.ndarray) -> np.ndarray:
    return np.bincount(codes, weights=weights, minlength=groups)


def invoice_balances(book: Book, window: Window) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per invoice: balance at as-of, balance at opening, and balance summed over the period."""
    late, n = book.payments_since(window.start), book.size
    unpaid = book.amount - book.paid_total  # open today, before adding back later payments
    after_end = np.bincount(late.invoice, weights=late.amount * (late.on > window.end), minlength=n)
    after_open = np.bincount(late.invoice, weights=late.amount, minlength=n)
    # Days of the period a payment had not yet been made (from issue, before its day).
    unpaid_days = _days_in_period(book.issue[late.invoice], window) - _days_in_period(late.on, window)
    still_due = np.bincount(late.invoice, weights=late.amount * unpaid_days, minlength=n)
    closing = np.where(book.issue <= window.end, unpaid + after_end, 0.0)
    opening = np.where(book.issue < window.start, unpaid + after_open, 0.0)
    balance_days = unpaid * _days_in_period(book.issue, window) + still_due
    return closing, opening, balance_days


def group_sums(book: Book, codes: np.ndarray, groups: int, window: Window) -> GroupSums:
    """Totals per group code (``codes`` has one entry per invoice, in ``range(groups)``)."""
    closing, opening, balance_days = invoice_balances(book, window)
    # An unapplied credit is owed to the customer: it is never past due, so it stays current.
    bucket = np.where(closing < 0, 0, aging_positions(window.end - book.due))
    aging = np.bincount(codes * 5 + bucket, weights=closing, minlength=groups * 5)
    in_period = (book.issue >= window.start) & (book.issue <= window.end)
    sales = np.flatnonzero(in_period)
    return GroupSums(
        aging=aging.reshape(groups, 5),
        opening=_by_group(codes, groups, opening),
        balance_days=_by_group(codes, groups, balance_days),
        sales=_by_group(codes[sales], groups, book.amount[sales]),
        **_payment_behaviour(book, codes, groups, window),
        **_terms(book, codes, groups, sales),
        monthly_sales=_monthly_sales(book, codes, groups, window),
    )


def _payment_behaviour(book: Book, codes: np.ndarray, groups: int, window: Window) -> dict[str, np.ndarray]:
    # Credit notes are not paid by the customer, so they say nothing about behaviour.
    paid = np.flatnonzero((book.settled >= window.start) & (book.settled <= window.end) & (book.amount > 0))
    code, amount = codes[paid], book.amount[paid]
    late = np.maximum(book.settled[paid] - book.due[paid], 0)
    return {
        "paid_count": np.bincount(code, minlength=groups).astype(float),
        "late_count": np.bincount(code, weights=late > 0, minlength=groups),
        "paid_amount": _by_group(code, groups, amount),
        "paid_days": _by_group(code, groups, amount * (book.settled[paid] - book.issue[paid])),
        "late_days": _by_group(code, groups, amount * late),
    }


def _terms(book: Book, codes: np.ndarray, groups: int, sales: np.ndarray) -> dict[str, np.ndarray]:
    positive = sales[book.amount[sales] > 0]
    amount = book.amount[positive]
    return {
        "terms_amount": _by_group(codes[positive], groups, amount),
        "terms_days": _by_group(codes[positive], groups, amount * book.terms[positive]),
    }


def _monthly_sales(book: Book, codes: np.ndarray, groups: int, window: Window) -> np.ndarray:
    issued = np.flatnonzero(book.issue <= window.end)
    first_day = int(book.issue[issued].min()) if issued.size else window.end
    # Months back from the as-of month for every day of the history: one gather per invoice.
    days = np.arange(first_day, window.end + 1).astype("datetime64[D]")
    back_of_day = np.datetime64(window.as_of, "M") - days.astype("datetime64[M]")
    back = back_of_day.astype(np.int64)[book.issue[issued] - first_day]
    months = int(back_of_day[0].astype(np.int64)) + 1
    totals = np.bincount(
        codes[issued] * months + back, weights=book.amount[issued], minlength=groups * months
    )
    return totals.reshape(groups, months)
