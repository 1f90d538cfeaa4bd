"""Scores of a risk model on labelled invoices: ranking, calibration and days-late error."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

ECE_BINS = 10


def expected_calibration_error(p_late: np.ndarray, late: np.ndarray, bins: int = ECE_BINS) -> float:
    """Share-weighted gap between predicted and realised late rate in equal-width bins."""
    which = np.minimum((np.asarray(p_late) * bins).astype(int), bins - 1)
    counts = np.bincount(which, minlength=bins)
    predicted = np.bincount(which, weights=p_late, minlength=bins)
    realised = np.bincount(which, weights=late.astype(float), minlength=bins)
    return float(np.abs(predicted - realised).sum() / max(len(late), 1)) if counts.any() else 0.0


def risk_metrics(p_late: np.ndarray, days_pred: np.ndarray, days_late: np.ndarray) -> dict[str, float]:
    """``roc_auc``, ``average_precision``, ``brier``, ``ece`` and ``mae_days_late``."""
    late = (np.asarray(days_late) > 0).astype(int)
    both_classes = 0 < late.sum() < len(late)
    return {
        "roc_auc": float(roc_auc_score(late, p_late)) if both_classes else float("nan"),
        "average_precision": float(average_precision_score(late, p_late)) if both_classes else float("nan"),
        "brier": float(brier_score_loss(late, p_late)),
        "ece": expected_calibration_error(np.asarray(p_late, dtype=float), late),
        "mae_days_late": float(np.mean(np.abs(np.asarray(days_pred) - days_late))),
    }
