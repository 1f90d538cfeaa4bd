"""Score open invoices as of a date: P(late), expected days late and pay date, reasons.

"As of D" means at the end of day D: everything dated D or earlier is known, nothing
after. An invoice not yet due gets the model's P(paid after the due date). An invoice
already past due *is* late, so its ``p_late`` is defined as the risk that remains: the
probability it is still unpaid :data:`OVERDUE_HORIZON_DAYS` days from now, given how
long it has been overdue (the model's :class:`models.survival.PayCurve`), and its first
reason says both. Its expected days late is the larger of the model's figure and the
days overdue plus the curve's expected wait, so the pay date is always after the as-of
date and grows with the days overdue. :func:`score_open_invoices` scores a whole book in one vectorised pass;
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

OVERDUE_HORIZON_DAYS = 30
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
    when = pd.Timestamp(as_of)
    invoice_ids, rows, columns = open_invoice_features(ledger, when, frames)
    matrix = model.matrix(columns)
    model_p = model.p_late(matrix)
    overdue = _days_past_due(rows.due_day, when)
    p_late, days = _settle_overdue(model, model_p, model.days_late(matrix), overdue)
    reasons = _reasons(model, matrix, model_p, columns, _explained_rows(p_late, reasons_for))
    _with_overdue_reason(reasons, overdue, p_late)
    return pd.DataFrame(
        {
            "invoice_id": invoice_ids,
            "p_late": p_late,
            "expected_days_late": days,
            "expected_pay_date": _pay_dates(rows.due_day, days).astype("datetime64[ns]"),
            "reasons": reasons,
            "model_version": model.version,
        }
    )


def open_invoice_features(
    ledger: Ledger, when: pd.Timestamp, frames: OptionalFrames | None = None
) -> tuple[np.ndarray, InvoiceRows, dict[str, np.ndarray]]:
    """Ids, rows and features of the invoices open at the end of ``when``.

    The history index is the largest object in scoring; it lives only inside this call,
    so it is freed before the model's predictions allocate theirs.
    """
    index = HistoryIndex.build(ledger, frames)
    invoices = ledger.invoices[open_at(ledger.invoices, when)]
    unknown = pd.Series(pd.NaT, index=invoices.index, dtype="datetime64[ns]")
    rows = InvoiceRows.from_frame(invoices.assign(paid_date=unknown))  # later settlements are unknown
    return invoices["invoice_id"].to_numpy(), rows, compute_features(index, rows, _end_of_day(when))


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


def _settle_overdue(
    model: RiskModel, p_late: np.ndarray, days: np.ndarray, overdue: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Overdue invoices: remaining risk and expected days late from the time-to-payment curve."""
    late_now = overdue > 0
    if not late_now.any():
        return p_late, days
    p_late, days = p_late.copy(), days.copy()
    p_late[late_now] = model.pay_curve.still_unpaid(overdue[late_now], OVERDUE_HORIZON_DAYS)
    waiting = model.pay_curve.expected_more_days(overdue[late_now])
    days[late_now] = np.maximum(days[late_now], overdue[late_now] + waiting)
    return p_late, days


def _with_overdue_reason(reasons: list[list[str]], overdue: np.ndarray, p_late: np.ndarray) -> None:
    """Put "already N days past due" first in the reasons of each overdue invoice."""
    for i in np.flatnonzero(overdue > 0):
        reasons[i] = [
            f"already {overdue[i]:.0f} days past due: {p_late[i]:.0%} likely still unpaid "
            f"in {OVERDUE_HORIZON_DAYS} days",
            *reasons[i],
        ]


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
        p_late, days = _settle_overdue(self.model, p_late, days, overdue)
        _with_overdue_reason(reasons, overdue, p_late)
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
