"""Time-based evaluation: train before a cut-off date, test on invoices issued from it.

Every row's features are as of its own issue date, so a test invoice sees the history
settled before it was issued, including test-window invoices already settled by then,
and nothing later (the split in ``shared/data/README.md``). The model evaluated is the
one training would serve: chosen by :mod:`models.selection` on the training rows alone,
then fit on all of them. Two baselines are always scored on the same rows: the
customer's prior late rate alone, and the same learner on invoice fields alone. ROC AUC
is also reported separately for test rows whose customer had settled invoices before
(``with_history``) and those with none (``without_history``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from models.candidates import CANDIDATES, prior_late_rate
from models.metrics import risk_metrics
from models.rows import LabelledRows
from models.selection import fit_selected

TRAIN_SHARE = 0.75


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
    model, selection = fit_selected(train)
    matrix = model.matrix(test.features)
    p_late = model.p_late(matrix)
    prior = prior_late_rate(train, test)
    invoice_only = CANDIDATES["invoice_only"].fit(train)
    invoice_matrix = invoice_only.matrix(test.features)
    invoice_p = invoice_only.p_late(invoice_matrix)
    return {
        "cutoff": cutoff.date().isoformat(),
        "train_rows": len(train.days_late),
        "test_rows": len(test.days_late),
        "served": selection.chosen,
        "model": risk_metrics(p_late, model.days_late(matrix), test.days_late),
        "baselines": {
            "prior_late_rate": risk_metrics(*prior, test.days_late),
            "invoice_only": risk_metrics(invoice_p, invoice_only.days_late(invoice_matrix), test.days_late),
        },
        "by_history": by_history(
            test, {"model": p_late, "prior_late_rate": prior[0], "invoice_only": invoice_p}
        ),
        "selection": selection.card(),
        "calibration_by_month": calibration_by_month(p_late, test.days_late, test.issue_dates),
    }


def by_history(rows: LabelledRows, scores: dict[str, np.ndarray]) -> dict[str, dict[str, Any]]:
    """Rows and ROC AUC of each scorer on rows with and without the customer's payment history."""
    seen = rows.features["hist_settled"].to_numpy() > 0
    late = rows.days_late > 0
    out: dict[str, dict[str, Any]] = {}
    for group, mask in (("with_history", seen), ("without_history", ~seen)):
        both = 0 < late[mask].sum() < mask.sum()
        out[group] = {
            "rows": int(mask.sum()),
            "late_share": float(late[mask].mean()) if mask.any() else None,
            "roc_auc": {
                name: float(roc_auc_score(late[mask], p[mask])) if both else None
                for name, p in scores.items()
            },
        }
    return out


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


def backtest(rows: LabelledRows, cutoffs: Sequence[pd.Timestamp]) -> list[dict[str, Any]]:
    """Rolling-origin evaluation: one :func:`evaluate` per cut-off date."""
    return [evaluate(rows, pd.Timestamp(cutoff)) for cutoff in cutoffs]
