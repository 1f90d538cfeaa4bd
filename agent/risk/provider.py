"""The model's stored scores as the rules' risk source, as of any evaluated date.

Rules ask for risk as of a date (``risk.p_late`` today, and a week ago for the risk-spike
rule). Each invoice gets its latest stored score dated on or before that date, so
nothing from after the date is used. An invoice the model had not scored by then has no
risk (a comparison with it is false): mixing in another estimator's numbers would make
the change rules see a "spike" that is only the switch from one estimator to the other.
Before the model has stored any score, the customer's prior late rate stands in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.risk.tables import RiskScore
from ledger.frame import Ledger
from rules.risk import RISK_COLUMNS, PriorLateRateRisk, RiskProvider

HISTORY_DAYS = 45  # long enough for week-over-week and month-over-month rules


@dataclass(frozen=True)
class StoredRiskProvider:
    """Scores by (invoice, scoring date); the fallback serves only while no score is stored."""

    scores: pd.DataFrame  # invoice_id (str), as_of (datetime64), p_late, expected_days_late, reason
    fallback: RiskProvider = field(default_factory=PriorLateRateRisk)

    def __call__(self, ledger: Ledger, as_of: date) -> pd.DataFrame:
        if self.scores.empty:
            return self.fallback(ledger, as_of).loc[:, list(RISK_COLUMNS)]
        known = self.scores[self.scores["as_of"] <= pd.Timestamp(as_of)]
        latest = known.sort_values("as_of").groupby("invoice_id").tail(1).set_index("invoice_id")
        risk = latest.reindex(ledger.invoices["invoice_id"].astype(str).to_numpy())
        risk["reason"] = risk["reason"].fillna("")
        return risk.rename_axis("invoice_id").reset_index().loc[:, list(RISK_COLUMNS)]


def stored_risk_provider(*, session: Session, as_of: date) -> StoredRiskProvider:
    """A provider over the scores stored in the ``HISTORY_DAYS`` before ``as_of``."""
    rows = session.execute(
        select(
            RiskScore.invoice_id,
            RiskScore.as_of,
            RiskScore.p_late,
            RiskScore.expected_days_late,
            RiskScore.reasons,
        ).where(RiskScore.as_of >= as_of - timedelta(days=HISTORY_DAYS), RiskScore.as_of <= as_of)
    ).all()
    scores = pd.DataFrame(
        {
            "invoice_id": [str(row.invoice_id) for row in rows],
            "as_of": pd.to_datetime([row.as_of for row in rows]),
            "p_late": [float(row.p_late) for row in rows],
            "expected_days_late": [float(row.expected_days_late) for row in rows],
            "reason": ["; ".join(row.reasons[:2]) for row in rows],
        }
    )
    return StoredRiskProvider(scores=scores)
