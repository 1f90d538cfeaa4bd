"""Evaluation columns as of a date: nothing from the future; aggregates as DESIGN.md says."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from rules.context import ContextBuilder
from rules.risk import PriorLateRateRisk
from tests.rules.factories import small_book

AS_OF = date(2024, 2, 15)


def _builder(**signals) -> ContextBuilder:
    return ContextBuilder(small_book(), risk=PriorLateRateRisk(), **signals)


def _invoices(builder: ContextBuilder, as_of: date = AS_OF) -> pd.DataFrame:
    return builder.at(as_of).invoices.to_pandas().set_index("invoice_id")


def _accounts(builder: ContextBuilder, as_of: date = AS_OF) -> pd.DataFrame:
    return builder.at(as_of).accounts.to_pandas().set_index("customer_id")


def test_open_invoices_as_of_ignore_later_payments() -> None:
    invoices = _invoices(_builder())
    # A1 was paid on 02-10; A2 is paid on 02-18, after the as-of date, so still open.
    assert sorted(invoices.index) == ["A2", "A3", "B1"]
    assert invoices.loc["B1", "invoice.days_past_due"] == 6
    assert invoices.loc["B1", "invoice.days_to_due"] == -6
    assert invoices.loc["A2", "invoice.days_past_due"] == 0
    assert invoices.loc["A2", "invoice.amount_open"] == 500.0


def test_account_aggregates_follow_the_metrics_definitions() -> None:
    accounts = _accounts(_builder())
    assert accounts.loc["A", "account.open_ar"] == 2500.0
    assert accounts.loc["A", "account.dso"] == pytest.approx(30.0)  # 2500 / 2500 sales × 30
    assert accounts["account.dso"].isna().to_dict()["B"]  # no sales in the period
    assert accounts.loc["B", "account.overdue_ar"] == 3000.0
    assert accounts.loc["A", "account.late_rate_90d"] == 1.0
    assert accounts.loc["A", "account.avg_days_late_90d"] == 10.0
    assert accounts.loc["A", "account.open_invoices"] == 2


def test_prior_late_rate_uses_only_invoices_settled_before_as_of() -> None:
    invoices = _invoices(_builder())
    # Settled by 02-15: A1 (10 days late) and C1 (on time): book rate 0.5, mean 10 days.
    assert invoices.loc["A3", "risk.p_late"] == pytest.approx((1 + 5 * 0.5) / (1 + 5))
    assert invoices.loc["A3", "risk.reason"] == "Paid 1 of 1 past invoices late."
    # B1's own late payment (03-20) is in the future: B has no history yet.
    assert invoices.loc["B1", "risk.p_late"] == pytest.approx(0.5)
    assert invoices.loc["B1", "risk.reason"] == "No payment history yet; 50% of the book pays late."


def test_promises_count_from_when_they_were_made_and_break_after_their_date() -> None:
    promises = pd.DataFrame(
        {
            "invoice_id": ["A3"],
            "created_at": pd.to_datetime(["2024-02-20 15:30"]),
            "promised_date": pd.to_datetime(["2024-03-01"]),
            "amount": [2000.0],
        }
    )
    builder = _builder(promises=promises)
    assert _invoices(builder)["promise.date"].isna().to_dict()["A3"]
    assert not _invoices(builder, date(2024, 2, 25)).loc["A3", "promise.broken"]
    later = _invoices(builder, date(2024, 3, 4)).loc["A3"]
    assert later["promise.broken"]
    assert later["promise.days_since_promise"] == 3


def test_disputes_crm_signals_and_accounts_frames() -> None:
    builder = _builder(
        disputes=pd.DataFrame(
            {
                "invoice_id": ["B1"],
                "opened_at": pd.to_datetime(["2024-02-01 09:00"]),
                "resolved_at": pd.to_datetime(["2024-03-10 17:00"]),
            }
        ),
        signals=pd.DataFrame(
            {
                "account_id": ["A", "A", "A", "A", "B"],
                "kind": ["renewal_date", "health_score", "health_score", "open_tickets", "health"],
                "value": ["2024-04-01", "82", "55", "2", "red"],
                "observed_at": pd.to_datetime(
                    ["2024-01-05", "2024-01-10", "2024-02-10", "2024-02-10", "2024-03-01"]
                ),
            }
        ),
        accounts=pd.DataFrame(
            {
                "customer_id": ["A"],
                "credit_limit": [2000.0],
                "owner_email": ["ana@example.com"],
                "segment": ["Mid-Market"],
            }
        ),
    )
    invoices, accounts = _invoices(builder), _accounts(builder)
    assert invoices.loc["B1", "dispute.open"]
    assert invoices.loc["B1", "dispute.age_days"] == 14
    assert not _invoices(builder, date(2024, 3, 12)).loc["B1", "dispute.open"]
    assert accounts.loc["A", "crm.renewal_in_days"] == 46
    # The latest score on or before the as-of date (55) makes A yellow.
    assert accounts.loc["A", "crm.health_score"] == 55
    assert accounts.loc["A", "crm.health"] == "yellow"
    assert accounts.loc["A", "crm.open_tickets"] == 2
    assert accounts.loc["B", "crm.health"] is None  # observed after the as-of date
    assert _accounts(builder, date(2024, 3, 2)).loc["B", "crm.health"] == "red"
    assert accounts.loc["A", "account.credit_limit"] == 2000.0
    assert accounts.loc["A", "account.owner"] == "ana@example.com"
    assert accounts.loc["A", "account.segment"] == "mid_market"
    assert invoices.loc["A3", "account.owner"] == "ana@example.com"


def test_prev_reads_the_same_invoice_a_week_earlier() -> None:
    builder = _builder()
    frame = builder.at(AS_OF).invoices
    before = frame.previous("invoice.days_past_due", 7)
    by_invoice = dict(zip(frame.ids["invoice_id"], before, strict=True))
    assert by_invoice["A2"] == 0.0
    assert np.isnan(by_invoice["A3"])  # not issued a week earlier


def test_account_ar_and_dso_agree_with_agent_metrics_on_the_demo_book() -> None:
    from agent.demo.book import build_demo_book
    from agent.metrics import compute_breakdown
    from agent.metrics.rates import Rates

    ledger = build_demo_book(as_of=date(2026, 11, 20)).ledger()
    as_of = date(2026, 6, 30)
    # Each demo account bills in one currency, so per-account ratios do not depend on rates.
    metrics = compute_breakdown(ledger, as_of, rates=Rates("USD", {"USD": 1.0, "EUR": 1.1, "GBP": 1.3}))
    accounts = ContextBuilder(ledger).at(as_of).accounts.to_pandas().set_index("customer_id")
    ours = accounts["account.dso"].to_dict()
    theirs = {c: metrics[c].dso for c in accounts.index if c in metrics}
    assert len(theirs) > 300
    assert all(
        (theirs[c] is None and np.isnan(ours[c])) or ours[c] == pytest.approx(theirs[c]) for c in theirs
    )
