"""Score open invoices as of a date: P(late), expected days late and pay date, reasons.

"As of D" means at the end of day D: everything dated D or earlier is known, nothing
after. :func:`score_open_invoices` scores a whole book in one vectorised pass;
:class:`InvoiceScorer` keeps the sorted history of a book in memory and scores one
invoice at a time in about a millisecond, for the API.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ledger.frame import Ledger
from models.asof import day_numbers
from models.estimator import RiskModel
from models.features import CATEGORICAL, HistoryIndex, InvoiceRows, compute_features
from models.frames import OptionalFrames
from models.reasons import group_effects, top_reasons

SCORE_COLUMNS: tuple[str, ...] = (
    "invoice_id",
    "p_late",
    "expected_days_late",
    "expected_pay_date",
    "reasons",
    "model_version",
)


def open_at(invoices: pd.DataFrame, as_of: pd.Timestamp) -> np.ndarray:
    """Mask of invoices issued by ``as_of`` and not settled by then."""
    issued = (invoices["issue_date"] <= as_of).to_numpy()
    settled = (invoices["paid_date"] <= as_of).to_numpy()  # NaT compares False
    return issued & ~settled


def score_open_invoices(
    model: RiskModel,
    ledger: Ledger,
    as_of: date | pd.Timestamp,
    *,
    promises: pd.DataFrame | None = None,
    disputes: pd.DataFrame | None = None,
    signals: pd.DataFrame | None = None,
    reasons_for: int | None = None,
) -> pd.DataFrame:
    """One row per invoice open at the end of ``as_of`` (see :data:`SCORE_COLUMNS`).

    ``reasons_for`` limits reasons to that many highest-risk invoices (the rest get an
    empty list); None explains every invoice.
    """
    frames = OptionalFrames.of(promises=promises, disputes=disputes, signals=signals)
    index = HistoryIndex.build(ledger, frames)
    when = pd.Timestamp(as_of)
    invoices = ledger.invoices[open_at(ledger.invoices, when)].reset_index(drop=True)
    invoices["paid_date"] = pd.NaT  # a later settlement in the ledger is not known yet
    rows = InvoiceRows.from_frame(invoices)
    columns = compute_features(index, rows, _end_of_day(when))
    matrix = model.matrix(columns)
    p_late, days = model.p_late(matrix), model.days_late(matrix)
    overdue = _days_past_due(rows.due_day, when)
    explained = _explained_rows(np.where(overdue > 0, 1.0, p_late), reasons_for)
    reasons = _reasons(model, matrix, p_late, columns, explained)
    p_late, days = _settle_certain(p_late, days, overdue, reasons)
    return pd.DataFrame(
        {
            "invoice_id": invoices["invoice_id"].to_numpy(),
            "p_late": p_late,
            "expected_days_late": days,
            "expected_pay_date": _pay_dates(rows.due_day, days).astype("datetime64[ns]"),
            "reasons": reasons,
            "model_version": model.version,
        }
    )


def _end_of_day(when: pd.Timestamp) -> int:
    """Features count events strictly before a day: the day after ``when`` includes it."""
    return int(day_numbers(np.array([when]))[0]) + 1


def _explained_rows(p_late: np.ndarray, limit: int | None) -> np.ndarray:
    if limit is None or limit >= len(p_late):
        return np.arange(len(p_late))
    return np.sort(np.argsort(-p_late, kind="stable")[:limit])


def _reasons(
    model: RiskModel,
    matrix: np.ndarray,
    p_late: np.ndarray,
    columns: dict[str, np.ndarray],
    explained: np.ndarray,
) -> list[list[str]]:
    """Reasons for the ``explained`` rows, an empty list for the others."""
    names, effects = group_effects(model, matrix[explained], p_late[explained])
    reasons: list[list[str]] = [[] for _ in range(len(matrix))]
    for i, texts in zip(explained, top_reasons(names, effects, columns, explained), strict=True):
        reasons[i] = texts
    return reasons


def _days_past_due(due_day: np.ndarray, when: pd.Timestamp) -> np.ndarray:
    today = day_numbers(np.array([when]))[0]
    return np.maximum(today - due_day, 0).astype(float)


def _settle_certain(
    p_late: np.ndarray, days: np.ndarray, overdue: np.ndarray, reasons: list[list[str]]
) -> tuple[np.ndarray, np.ndarray]:
    """Apply what is already certain: an unpaid invoice past its due date is late.

    Unpaid at the end of the as-of day, it is paid the next day at the earliest.
    """
    late_now = overdue > 0
    for i in np.flatnonzero(late_now):
        reasons[i] = [f"already {overdue[i]:.0f} days past due", *reasons[i]]
    at_least = np.where(late_now, np.maximum(days, overdue + 1), days)
    return np.where(late_now, 1.0, p_late), at_least


def _pay_dates(due_day: np.ndarray, days: np.ndarray) -> np.ndarray:
    return (due_day + np.ceil(days).astype(np.int64)).astype("datetime64[D]")


@dataclass
class InvoiceScorer:
    """Precomputed history of a book, for scoring single invoices quickly."""

    model: RiskModel
    index: HistoryIndex
    as_of: pd.Timestamp

    @classmethod
    def build(
        cls,
        model: RiskModel,
        ledger: Ledger,
        as_of: date | pd.Timestamp,
        frames: OptionalFrames | None = None,
    ) -> InvoiceScorer:
        """Sort the book's history once; every :meth:`score` reuses it."""
        return cls(model, HistoryIndex.build(ledger, frames), pd.Timestamp(as_of))

    def score(self, invoice: Mapping[str, Any]) -> dict[str, Any]:
        """Score one open invoice given as a mapping of ledger columns."""
        rows = _single_row(invoice)
        columns = compute_features(self.index, rows, _end_of_day(self.as_of))
        matrix = self.model.matrix(columns)
        p_late = self.model.fast_p_late(matrix)
        days = self.model.fast_days_late(matrix)
        names, effects = group_effects(self.model, matrix, p_late, fast=True)
        reasons = top_reasons(names, effects, columns, np.arange(1))
        overdue = _days_past_due(rows.due_day, self.as_of)
        p_late, days = _settle_certain(p_late, days, overdue, reasons)
        return {
            "invoice_id": str(invoice.get("invoice_id", "")),
            "p_late": float(p_late[0]),
            "expected_days_late": float(days[0]),
            "expected_pay_date": _pay_dates(rows.due_day, days)[0].item(),
            "reasons": reasons[0],
            "model_version": self.model.version,
        }


def _single_row(invoice: Mapping[str, Any]) -> InvoiceRows:
    """One invoice as :class:`InvoiceRows`, without building a DataFrame."""
    issue = np.datetime64(pd.Timestamp(invoice["issue_date"]), "D").astype(np.int64)
    due = np.datetime64(pd.Timestamp(invoice["due_date"]), "D").astype(np.int64)
    terms = invoice.get("terms_days")
    return InvoiceRows(
        customer_id=np.array([str(invoice["customer_id"])], dtype=object),
        issue_day=np.array([issue]),
        due_day=np.array([due]),
        paid_day=np.array([np.nan]),
        amount=np.array([float(invoice["amount"])]),
        disputed=np.array([float(bool(invoice.get("disputed", False)))]),
        terms_days=np.array([float(due - issue if terms is None else terms)]),
        categories={name: np.array([invoice.get(name)], dtype=object) for name in CATEGORICAL},
    )
