"""Time-based evaluation: train before a cut-off date, test on invoices issued from it.

Every row's features are as of its own issue date, so a test invoice sees the history
settled before it was issued, including test-window invoices already settled by then,
and nothing later (the split in ``shared/data/README.md``). Two baselines are always
scored on the same rows: the customer's prior late rate alone, and the same learner on
invoice fields alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ledger.frame import Ledger
from models.estimator import fit_risk_model
from models.features import CATEGORICAL, FEATURES, training_features
from models.frames import OptionalFrames
from models.metrics import risk_metrics

INVOICE_ONLY: tuple[str, ...] = (
    "amount",
    "log_amount",
    "terms_days",
    "disputed",
    "issue_month",
    "issue_dow",
    *CATEGORICAL,
)
TRAIN_SHARE = 0.75


def days_late_of(invoices: pd.DataFrame) -> np.ndarray:
    """Days paid after the due date (0 when on time, NaN while open)."""
    late = (invoices["paid_date"] - invoices["due_date"]).dt.days.to_numpy(dtype=float)
    return np.where(np.isnan(late), np.nan, np.maximum(late, 0.0))


def known_outcomes(invoices: pd.DataFrame) -> np.ndarray:
    """Days late of every invoice whose outcome is known at the ledger's end, else NaN.

    The end is the latest issue or payment date. An invoice still open past its due
    date is late by at least the days since (a lower bound, but certainly late). While
    a ledger has open invoices, those not yet due at its end are unknown, and so are
    their settled peers: keeping only the early payers among recent invoices would teach
    the model that recent invoices are rarely late.
    """
    days = days_late_of(invoices)
    end = max(invoices["issue_date"].max(), invoices["paid_date"].max())
    due = invoices["due_date"].to_numpy()
    is_open = np.isnan(days)
    overdue_days = (end - invoices["due_date"]).dt.days.to_numpy(dtype=float)
    days = np.where(is_open & (overdue_days > 0), overdue_days, days)
    if is_open.any():
        days = np.where(due >= np.datetime64(end), np.nan, days)
    return days


@dataclass(frozen=True)
class LabelledRows:
    """Settled invoices with their as-of-issue-date features and outcome."""

    features: pd.DataFrame
    days_late: np.ndarray
    issue_dates: pd.Series

    @classmethod
    def of(cls, ledger: Ledger, frames: OptionalFrames | None = None) -> LabelledRows:
        """Features of every invoice with a known outcome, as of its issue date."""
        features = training_features(ledger, frames)
        days = known_outcomes(ledger.invoices)
        known = ~np.isnan(days)
        return cls(
            features=features[known].reset_index(drop=True),
            days_late=days[known],
            issue_dates=ledger.invoices["issue_date"][known].reset_index(drop=True),
        )

    def subset(self, mask: np.ndarray) -> LabelledRows:
        """The rows where ``mask`` holds."""
        return LabelledRows(
            self.features[mask].reset_index(drop=True),
            self.days_late[mask],
            self.issue_dates[mask].reset_index(drop=True),
        )


def time_split_cutoff(issue_dates: pd.Series, share: float = TRAIN_SHARE) -> pd.Timestamp:
    """The issue date before which the earliest ``share`` of invoices fall."""
    ordered = np.sort(issue_dates.to_numpy())
    return pd.Timestamp(ordered[min(int(len(ordered) * share), len(ordered) - 1)])


def evaluate(rows: LabelledRows, cutoff: pd.Timestamp) -> dict[str, Any]:
    """Model and baselines trained before ``cutoff``, scored on invoices issued from it."""
    train_mask = (rows.issue_dates < cutoff).to_numpy()
    train, test = rows.subset(train_mask), rows.subset(~train_mask)
    if len(train.days_late) == 0 or len(test.days_late) == 0:
        raise ValueError(f"cut-off {cutoff.date()} leaves no invoices on one side of the split")
    model = fit_risk_model(train.features, train.days_late, train.issue_dates, feature_names=FEATURES)
    matrix = model.matrix(test.features)
    p_late = model.p_late(matrix)
    return {
        "cutoff": cutoff.date().isoformat(),
        "train_rows": len(train.days_late),
        "test_rows": len(test.days_late),
        "model": risk_metrics(p_late, model.days_late(matrix), test.days_late),
        "baselines": {
            "prior_late_rate": _prior_late_rate(train, test),
            "invoice_only": _invoice_only(train, test),
        },
        "calibration_by_month": calibration_by_month(p_late, test.days_late, test.issue_dates),
    }


def calibration_by_month(
    p_late: np.ndarray, days_late: np.ndarray, issue_dates: pd.Series
) -> list[dict[str, Any]]:
    """Predicted vs realised late rate per issue month (the web app's calibration check)."""
    frame = pd.DataFrame(
        {"month": issue_dates.dt.strftime("%Y-%m").to_numpy(), "p": p_late, "late": days_late > 0}
    )
    grouped = frame.groupby("month").agg(
        invoices=("p", "size"), predicted=("p", "mean"), realised=("late", "mean")
    )
    return [
        {
            "month": str(month),
            "invoices": int(row.invoices),
            "predicted_late_rate": float(row.predicted),
            "realised_late_rate": float(row.realised),
        }
        for month, row in grouped.iterrows()
    ]


def _prior_late_rate(train: LabelledRows, test: LabelledRows) -> dict[str, float]:
    """The customer's late rate so far as the score (the population's for new customers)."""
    history = test.features
    fallback_rate = float((train.days_late > 0).mean())
    population = history["population_late_rate"].fillna(fallback_rate).to_numpy()
    p_late = history["hist_late_rate"].fillna(pd.Series(population)).to_numpy()
    days = history["hist_mean_days_late"].fillna(float(train.days_late.mean())).to_numpy()
    return risk_metrics(p_late, days, test.days_late)


def _invoice_only(train: LabelledRows, test: LabelledRows) -> dict[str, float]:
    model = fit_risk_model(train.features, train.days_late, train.issue_dates, feature_names=INVOICE_ONLY)
    matrix = model.matrix(test.features)
    return risk_metrics(model.p_late(matrix), model.days_late(matrix), test.days_late)


def backtest(rows: LabelledRows, cutoffs: Sequence[pd.Timestamp]) -> list[dict[str, Any]]:
    """Rolling-origin evaluation: one :func:`evaluate` per cut-off date."""
    return [evaluate(rows, pd.Timestamp(cutoff)) for cutoff in cutoffs]
