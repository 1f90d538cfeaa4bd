"""Choose the model to serve with an inner rolling time split of the training window only.

The training rows are cut by issue date at :data:`INNER_SHARES`; in each fold every
learned candidate of :mod:`models.candidates` and both baselines (the prior late rate
as a rule, the invoice-only learner) are fit on the rows before a cut and scored on the
rows up to the next cut (the last fold up to the end of the window). Predictions of
all folds are pooled and scored once. The rule:

- the *better baseline* is the baseline with the higher pooled ROC AUC;
- a learned candidate qualifies when its AUC beats both baselines' and its calibration
  error (ECE) and days-late MAE are no worse than the better baseline's;
- the qualifying candidate with the highest AUC is served; if none qualifies, the
  better baseline is, as a model (:data:`models.candidates.SERVES`).

Rows the caller holds out for testing never reach this module: it sees what it is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from models.candidates import CANDIDATES, DEFAULT, PRIOR_RULE, SERVES, Candidate, prior_late_rate
from models.estimator import RiskModel
from models.metrics import risk_metrics
from models.rows import LabelledRows

INNER_SHARES = (0.5, 0.75)
MIN_FOLD_ROWS = 30


@dataclass(frozen=True)
class Selection:
    """The chosen candidate, why, and the inner-split figures behind the choice."""

    chosen: str
    reason: str
    better_baseline: str | None
    folds: list[dict[str, Any]]
    metrics: dict[str, dict[str, float]]

    def card(self) -> dict[str, Any]:
        """What the model card records about the choice."""
        return {
            "chosen": self.chosen,
            "description": CANDIDATES[self.chosen].description,
            "reason": self.reason,
            "better_baseline": self.better_baseline,
            "inner_folds": self.folds,
            "inner_metrics": self.metrics,
        }


def select_candidate(rows: LabelledRows) -> Selection:
    """Score every candidate on the inner rolling split of ``rows`` and apply the rule."""
    folds = _inner_folds(rows)
    if not folds:
        return Selection(
            chosen=DEFAULT,
            reason=(
                "too little history for an inner time split (each fold needs "
                f"{MIN_FOLD_ROWS}+ test invoices, late and on time): serving the default model unvalidated"
            ),
            better_baseline=None,
            folds=[],
            metrics={},
        )
    metrics = {
        name: _pooled_metrics(candidate, rows, folds)
        for name, candidate in CANDIDATES.items()
        if name not in SERVES.values() or name in SERVES
    }
    metrics[PRIOR_RULE] = _pooled_rule(rows, folds)
    described = [
        {
            "train_before": cut.date().isoformat(),
            "test_until": end.date().isoformat(),
            "test_rows": int(test.sum()),
        }
        for cut, end, _, test in folds
    ]
    return _apply_rule(metrics, described)


def fit_selected(rows: LabelledRows) -> tuple[RiskModel, Selection]:
    """Select on ``rows``' inner split, then fit the chosen candidate on all of ``rows``."""
    selection = select_candidate(rows)
    return CANDIDATES[selection.chosen].fit(rows), selection


def _inner_folds(rows: LabelledRows) -> list[tuple[pd.Timestamp, pd.Timestamp, np.ndarray, np.ndarray]]:
    """(cut, end, train mask, test mask) of each usable fold, oldest first."""
    ordered = np.sort(rows.issue_dates.to_numpy())
    cuts = (
        [pd.Timestamp(ordered[int(len(ordered) * share)]) for share in INNER_SHARES] if len(ordered) else []
    )
    ends = [*cuts[1:], pd.Timestamp(ordered[-1]) + pd.Timedelta(days=1)] if cuts else []
    late = rows.days_late > 0
    folds = []
    for cut, end in zip(cuts, ends, strict=True):
        train = (rows.issue_dates < cut).to_numpy()
        test = ((rows.issue_dates >= cut) & (rows.issue_dates < end)).to_numpy()
        usable = test.sum() >= MIN_FOLD_ROWS and train.sum() >= MIN_FOLD_ROWS
        if usable and 0 < late[train].sum() < train.sum() and 0 < late[test].sum() < test.sum():
            folds.append((cut, end, train, test))
    return folds


def _pooled_metrics(
    candidate: Candidate,
    rows: LabelledRows,
    folds: list[tuple[pd.Timestamp, pd.Timestamp, np.ndarray, np.ndarray]],
) -> dict[str, float]:
    p_late, days, truth = [], [], []
    for _, _, train, test in folds:
        model = candidate.fit(rows.subset(train))
        matrix = model.matrix(rows.subset(test).features)
        p_late.append(model.p_late(matrix))
        days.append(model.days_late(matrix))
        truth.append(rows.days_late[test])
    return risk_metrics(np.concatenate(p_late), np.concatenate(days), np.concatenate(truth))


def _pooled_rule(
    rows: LabelledRows, folds: list[tuple[pd.Timestamp, pd.Timestamp, np.ndarray, np.ndarray]]
) -> dict[str, float]:
    scores = [prior_late_rate(rows.subset(train), rows.subset(test)) for _, _, train, test in folds]
    truth = np.concatenate([rows.days_late[test] for _, _, _, test in folds])
    return risk_metrics(np.concatenate([p for p, _ in scores]), np.concatenate([d for _, d in scores]), truth)


def _apply_rule(metrics: dict[str, dict[str, float]], folds: list[dict[str, Any]]) -> Selection:
    baselines = list(SERVES)
    better = max(baselines, key=lambda name: metrics[name]["roc_auc"])
    best_baseline_auc = max(metrics[name]["roc_auc"] for name in baselines)
    bar = metrics[better]
    failures: dict[str, str] = {}
    for name, candidate in CANDIDATES.items():
        if candidate.baseline:
            continue
        m = metrics[name]
        if not m["roc_auc"] > best_baseline_auc:
            failures[name] = f"AUC {m['roc_auc']:.3f} does not beat {best_baseline_auc:.3f}"
        elif m["ece"] > bar["ece"]:
            failures[name] = f"ECE {m['ece']:.3f} is worse than {bar['ece']:.3f}"
        elif m["mae_days_late"] > bar["mae_days_late"]:
            failures[name] = (
                f"days-late MAE {m['mae_days_late']:.2f} is worse than {bar['mae_days_late']:.2f}"
            )
    qualified = [
        name for name, candidate in CANDIDATES.items() if not candidate.baseline and name not in failures
    ]
    if qualified:
        chosen = max(qualified, key=lambda name: metrics[name]["roc_auc"])
        m = metrics[chosen]
        reason = (
            f"{chosen} has the best inner-split AUC ({m['roc_auc']:.3f}) of the candidates that beat both "
            f"baselines (better baseline {better}: AUC {bar['roc_auc']:.3f}) with ECE {m['ece']:.3f} "
            f"≤ {bar['ece']:.3f} and days-late MAE {m['mae_days_late']:.2f} ≤ {bar['mae_days_late']:.2f}"
        )
    else:
        chosen = SERVES[better]
        reason = (
            f"no candidate beats the baselines on the inner split, so the better baseline ({better}: "
            f"AUC {bar['roc_auc']:.3f}) is served as the {chosen} model; "
            + "; ".join(f"{name}: {why}" for name, why in failures.items())
        )
    return Selection(chosen=chosen, reason=reason, better_baseline=better, folds=folds, metrics=metrics)
