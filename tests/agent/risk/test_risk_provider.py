"""Stored model scores feed the rules as of each evaluated date, never from the future."""

from __future__ import annotations

from datetime import date

import pandas as pd

from agent.risk.provider import StoredRiskProvider
from ledger.frame import Ledger


def ledger() -> Ledger:
    invoices = pd.DataFrame(
        {
            "invoice_id": ["1", "2", "3"],
            "customer_id": ["10", "10", "20"],
            "issue_date": pd.to_datetime(["2026-09-01", "2026-10-01", "2026-10-05"]),
            "due_date": pd.to_datetime(["2026-10-01", "2026-10-31", "2026-11-04"]),
            "amount": [100.0, 200.0, 300.0],
            "paid_date": pd.to_datetime(pd.Series(["2026-10-20", None, None])),
        }
    )
    return Ledger.from_invoices(invoices)


def scores() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "invoice_id": ["2", "2", "3"],
            "as_of": pd.to_datetime(["2026-11-01", "2026-11-08", "2026-11-08"]),
            "p_late": [0.2, 0.7, 0.4],
            "expected_days_late": [1.0, 9.0, 3.0],
            "reason": ["a week ago", "paid 1 of the last 1 invoices late", "new customer"],
        }
    )


def test_each_invoice_gets_its_latest_score_on_or_before_the_date() -> None:
    provider = StoredRiskProvider(scores=scores())
    today = provider(ledger(), date(2026, 11, 8)).set_index("invoice_id")
    week_ago = provider(ledger(), date(2026, 11, 1)).set_index("invoice_id")
    assert today.loc["2", "p_late"] == 0.7
    assert today.loc["2", "reason"] == "paid 1 of the last 1 invoices late"
    assert week_ago.loc["2", "p_late"] == 0.2  # the later score is not visible a week ago
    assert week_ago["p_late"].isna()["3"]  # not scored by then: no risk, so no false spike
    assert week_ago.loc["3", "reason"] == ""


def test_before_any_score_the_prior_late_rate_stands_in() -> None:
    empty = scores().iloc[0:0]
    result = StoredRiskProvider(scores=empty)(ledger(), date(2026, 11, 8))
    assert list(result.columns) == ["invoice_id", "p_late", "expected_days_late", "reason"]
    assert result["p_late"].between(0, 1).all()
