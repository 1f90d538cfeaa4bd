"""The models training chooses from: the full learner, constrained variants and both baselines.

Every candidate is a :class:`models.estimator.RiskModel` (a calibrated classifier and a
days-late regressor on a feature subset), so whichever is chosen is saved, scored and
explained the same way. Two candidates are the baselines as servable models:

- ``prior_rate``: the customer's prior late rate (shrunk towards its peers' for a new
  customer) and prior days late, through a monotone, shallow learner that only
  calibrates them;
- ``invoice_only``: the learner on the invoice's own fields.

The others use every feature: ``boosting`` as it is, ``monotone`` with history features
that may only raise risk, and ``regularised`` (monotone, shallower, larger leaves and a
stronger L2 penalty) for books where history is thin or noisy. All are seeded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from models.estimator import BOOSTING_PARAMS, RiskModel, fit_risk_model
from models.features import CATEGORICAL, FEATURES
from models.rows import LabelledRows

INVOICE_ONLY: tuple[str, ...] = (
    "amount",
    "log_amount",
    "terms_days",
    "disputed",
    "issue_month",
    "issue_dow",
    *CATEGORICAL,
)
PRIOR_RATE: tuple[str, ...] = ("hist_late_rate_smoothed", "hist_mean_days_late", "peer_mean_days_late")
# A worse record (or a disputed invoice, or overdue balance) never lowers the risk.
INCREASING: tuple[str, ...] = (
    "disputed",
    "hist_late_rate",
    "hist_late_rate_smoothed",
    "hist_late_rate_recent",
    "last5_late",
    "hist_mean_days_late",
    "hist_max_days_late",
    "last5_mean_days_late",
    "hist_mean_pay_vs_due",
    "last5_mean_pay_vs_due",
    "hist_mean_pay_vs_due_undisputed",
    "overdue_invoices",
    "broken_promises",
    "population_late_rate",
    "peer_late_rate",
    "peer_mean_days_late",
)
REGULARISED_PARAMS: dict[str, Any] = {
    **BOOSTING_PARAMS,
    "max_iter": 150,
    "max_depth": 2,
    "min_samples_leaf": 60,
    "l2_regularization": 10.0,
}
PRIOR_RATE_PARAMS: dict[str, Any] = {
    **BOOSTING_PARAMS,
    "max_iter": 100,
    "max_depth": 2,
    "min_samples_leaf": 50,
}


@dataclass(frozen=True)
class Candidate:
    """A way to fit a :class:`RiskModel`: which features, which settings, which constraints."""

    name: str
    description: str
    features: tuple[str, ...]
    params: Mapping[str, Any]
    increasing: tuple[str, ...] = ()
    baseline: bool = False

    def fit(self, rows: LabelledRows) -> RiskModel:
        """Fit on ``rows`` (raises ``ValueError`` when they hold only one outcome)."""
        return fit_risk_model(
            rows.features,
            rows.days_late,
            rows.issue_dates,
            feature_names=self.features,
            params=self.params,
            increasing=self.increasing,
        )


CANDIDATES: dict[str, Candidate] = {
    candidate.name: candidate
    for candidate in (
        Candidate("boosting", "gradient boosting on every feature", FEATURES, BOOSTING_PARAMS),
        Candidate(
            "monotone",
            "gradient boosting on every feature, monotone in the payment history",
            FEATURES,
            BOOSTING_PARAMS,
            INCREASING,
        ),
        Candidate(
            "regularised",
            "shallow, strongly regularised gradient boosting, monotone in the payment history",
            FEATURES,
            REGULARISED_PARAMS,
            INCREASING,
        ),
        Candidate(
            "prior_rate",
            "baseline: the customer's prior late rate and days late (peers' for a new customer)",
            PRIOR_RATE,
            PRIOR_RATE_PARAMS,
            PRIOR_RATE,
            baseline=True,
        ),
        Candidate(
            "invoice_only",
            "baseline: gradient boosting on the invoice's own fields",
            INVOICE_ONLY,
            BOOSTING_PARAMS,
            baseline=True,
        ),
    )
}
DEFAULT = "boosting"
# The prior late rate scored as a rule (no fitting), and the candidate that serves it.
PRIOR_RULE = "prior_late_rate"
SERVES = {PRIOR_RULE: "prior_rate", "invoice_only": "invoice_only"}


def prior_late_rate(train: LabelledRows, test: LabelledRows) -> tuple[np.ndarray, np.ndarray]:
    """The customer's late rate and days late so far (the population's for new customers)."""
    history = test.features
    fallback_rate = float((train.days_late > 0).mean())
    population = history["population_late_rate"].fillna(fallback_rate).to_numpy()
    p_late = history["hist_late_rate"].fillna(pd.Series(population)).to_numpy()
    days = history["hist_mean_days_late"].fillna(float(train.days_late.mean())).to_numpy()
    return np.asarray(p_late, dtype=float), np.asarray(days, dtype=float)
