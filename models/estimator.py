"""The risk model: calibrated P(paid late) and expected days late from as-of features.

Two HistGradientBoosting models share one feature matrix: a classifier for "paid after
the due date" and a Poisson regressor for days late (a mean, so "expected days late").
Probabilities are calibrated on a time-ordered holdout: a copy of the classifier is fit
on the earliest 75 % of training rows, a Platt (logistic) map is fit on its scores for
the latest 25 %, and that map is applied to the classifier refit on all rows. The map
is two numbers, monotone, so it fixes calibration drift without touching the ranking.

Categories are encoded as ordinal numbers with a vocabulary learned at training (unknown
values become missing), which keeps every split numeric for :mod:`models.trees`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit, logit
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from models.features import CATEGORICAL
from models.survival import PayCurve
from models.trees import CompiledTrees

BOOSTING_PARAMS: dict[str, Any] = {
    "max_iter": 200,
    "learning_rate": 0.05,
    "max_depth": 3,
    "min_samples_leaf": 20,
    "l2_regularization": 1.0,
    "early_stopping": False,
    "random_state": 0,
}
CALIBRATION_SHARE = 0.25
_MIN_CALIBRATION_ROWS = 50
# Below this many rows OpenMP threads cost more than they save, and on a busy machine
# their spin-waiting makes a small fit 10-20x slower.
_THREADED_ROWS = 50_000
_SMALL_BATCH = 64


@contextmanager
def threads_for(rows: int) -> Iterator[None]:
    """Run scikit-learn single-threaded for small batches."""
    if rows >= _THREADED_ROWS:
        yield
        return
    with threadpool_limits(limits=1, user_api="openmp"):
        yield


@dataclass
class RiskModel:
    """A fitted model with what it needs to turn feature columns into scores."""

    features: tuple[str, ...]
    categories: dict[str, tuple[str, ...]]
    classifier: HistGradientBoostingClassifier
    regressor: HistGradientBoostingRegressor
    calibration: tuple[float, float]  # slope, intercept applied to the classifier's logit
    reference: dict[str, float]  # a typical value per feature (training median)
    card: dict[str, Any] = field(default_factory=dict)
    pay_curve: PayCurve = field(default_factory=lambda: PayCurve.from_card(None))

    @property
    def version(self) -> str:
        """The registry version, or "unsaved" for a model not saved yet."""
        return str(self.card.get("version", "unsaved"))

    def matrix(self, columns: Mapping[str, np.ndarray] | pd.DataFrame) -> np.ndarray:
        """Float matrix in the model's feature order, categories encoded."""
        out = np.empty((len(columns[self.features[0]]), len(self.features)))
        for j, name in enumerate(self.features):
            values = np.asarray(columns[name])
            out[:, j] = self._encode(name, values) if name in self.categories else values
        return out

    def _encode(self, name: str, values: np.ndarray) -> np.ndarray:
        vocabulary = self.categories[name]
        if len(values) <= _SMALL_BATCH:  # pd.Categorical costs ~0.1 ms even for one value
            lookup = {value: float(code) for code, value in enumerate(vocabulary)}
            return np.array([lookup.get(str(value), np.nan) for value in values])
        codes = pd.Categorical(values.astype(str), categories=list(vocabulary)).codes
        return np.where(codes >= 0, codes, np.nan)

    def p_late(self, matrix: np.ndarray) -> np.ndarray:
        """Calibrated probability that each invoice is paid after its due date."""
        with threads_for(len(matrix)):
            return self._calibrate(self.classifier.decision_function(matrix))

    def days_late(self, matrix: np.ndarray) -> np.ndarray:
        """Expected days late (0 for on time) of each invoice."""
        with threads_for(len(matrix)):
            return np.asarray(self.regressor.predict(matrix), dtype=float)

    def fast_p_late(self, matrix: np.ndarray) -> np.ndarray:
        """Same as :meth:`p_late`, quicker for a handful of rows."""
        return self._calibrate(self._compiled[0].raw(matrix))

    def fast_days_late(self, matrix: np.ndarray) -> np.ndarray:
        """Same as :meth:`days_late`, quicker for a handful of rows."""
        return np.exp(self._compiled[1].raw(matrix))

    def _calibrate(self, raw: np.ndarray) -> np.ndarray:
        slope, intercept = self.calibration
        return np.asarray(expit(slope * np.asarray(raw) + intercept), dtype=float)

    @cached_property
    def _compiled(self) -> tuple[CompiledTrees, CompiledTrees]:
        return CompiledTrees.from_estimator(self.classifier), CompiledTrees.from_estimator(self.regressor)


def fit_risk_model(
    features: pd.DataFrame,
    days_late: np.ndarray,
    issue_dates: pd.Series,
    *,
    feature_names: tuple[str, ...],
    params: Mapping[str, Any] = BOOSTING_PARAMS,
    increasing: tuple[str, ...] = (),
) -> RiskModel:
    """Fit on settled invoices (``days_late`` known); rows are ordered by issue date first.

    ``params`` are the boosting hyper-parameters of both estimators; features named in
    ``increasing`` may only raise P(late) and days late (a monotone constraint).
    """
    order = np.argsort(issue_dates.to_numpy(), kind="stable")
    frame = features.iloc[order]
    target = np.asarray(days_late, dtype=float)[order]
    late = (target > 0).astype(int)
    if late.min() == late.max():
        raise ValueError("training needs both on-time and late invoices")
    used = tuple(name for name in feature_names if frame[name].nunique(dropna=True) > 1)
    categories = {
        name: tuple(sorted(frame[name].dropna().astype(str).unique())) for name in used if name in CATEGORICAL
    }
    settings = {**params, "monotonic_cst": [1 if name in increasing else 0 for name in used]}
    model = RiskModel(
        features=used,
        categories=categories,
        classifier=HistGradientBoostingClassifier(**settings),
        regressor=HistGradientBoostingRegressor(loss="poisson", **settings),
        calibration=(1.0, 0.0),
        reference={},
    )
    matrix = model.matrix(frame)
    with threads_for(len(matrix)):
        model.calibration = _holdout_calibration(matrix, late, settings)
        model.classifier.fit(matrix, late)
        model.regressor.fit(matrix, target)
    model.reference = {name: float(np.nanmedian(matrix[:, j])) for j, name in enumerate(used)}
    return model


def _holdout_calibration(
    matrix: np.ndarray, late: np.ndarray, settings: Mapping[str, Any]
) -> tuple[float, float]:
    """Platt map fit on the latest rows, scored by a copy trained on the earlier ones."""
    split = int(len(late) * (1 - CALIBRATION_SHARE))
    early, recent = late[:split], late[split:]
    enough = len(recent) >= _MIN_CALIBRATION_ROWS and min(early.sum(), recent.sum()) > 0
    if not enough or early.min() == early.max() or recent.min() == recent.max():
        return 1.0, 0.0  # too little data to calibrate: trust the log-loss fit
    # A column empty in the early rows (a CRM field synced only lately) cannot be binned there.
    known = np.flatnonzero((~np.isnan(matrix[:split])).any(axis=0))
    monotone = np.asarray(settings["monotonic_cst"])[known].tolist()
    probe = HistGradientBoostingClassifier(**{**settings, "monotonic_cst": monotone})
    probe.fit(matrix[:split, known], early)
    raw = np.clip(probe.predict_proba(matrix[split:, known])[:, 1], 1e-6, 1 - 1e-6)
    platt = LogisticRegression(C=1e6).fit(logit(raw)[:, None], recent)
    return float(platt.coef_[0, 0]), float(platt.intercept_[0])
