"""Train the production model on every invoice with a known outcome; describe it in a model card.

Which candidate is served is chosen by :mod:`models.selection` on an inner rolling time
split of the training rows; the card records the choice, the reason and the inner-split
figures, then a 75/25 time-split evaluation of the same procedure against both
baselines (with ROC AUC for rows with and without payment history). Every learner is
seeded, so the same ledger gives the same card metrics.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ledger.frame import Ledger
from models.estimator import RiskModel
from models.evaluation import evaluate, time_split_cutoff
from models.frames import OptionalFrames
from models.rows import LabelledRows
from models.selection import fit_selected
from models.survival import PayCurve


def train_model(ledger: Ledger, frames: OptionalFrames | None = None) -> RiskModel:
    """Fit on every invoice with a known outcome; the card's metrics come from a 75/25 time split."""
    rows = LabelledRows.of(ledger, frames)
    if len(rows.days_late) == 0:
        raise ValueError("the ledger has no settled invoices to learn from")
    model, selection = fit_selected(rows)
    model.pay_curve = PayCurve.fit(ledger.invoices)
    model.card = {**_card(rows, model), "selection": selection.card()}
    try:
        evaluation = evaluate(rows, time_split_cutoff(rows.issue_dates))
    except ValueError as exc:  # a book too small or one-sided to hold out a quarter of it
        model.card.update(metrics=None, evaluation={"skipped": str(exc)})
        return model
    model.card.update(metrics=evaluation["model"], evaluation=evaluation)
    return model


def _card(rows: LabelledRows, model: RiskModel) -> dict[str, Any]:
    return {
        "kind": "payment-delay risk",
        "target": "paid after the due date (days_late > 0); expected days late",
        "training_window": {
            "first_issue_date": rows.issue_dates.min().date().isoformat(),
            "last_issue_date": rows.issue_dates.max().date().isoformat(),
        },
        "rows": len(rows.days_late),
        "late_share": float(np.mean(rows.days_late > 0)),
        "features": list(model.features),
    }
