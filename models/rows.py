"""Labelled rows: invoices with a known outcome and their features as of their issue date."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ledger.frame import Ledger
from models.features import training_features
from models.frames import OptionalFrames


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
