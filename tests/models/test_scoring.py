"""Scoring open invoices: calibrated risk, expected pay date, reasons a CSM can read."""

from functools import cache

import numpy as np
import pandas as pd
import pytest

from ledger.frame import Ledger
from models import reasons
from models.estimator import RiskModel
from models.reasons import top_reasons
from models.scoring import OVERDUE_HORIZON_DAYS, SCORE_COLUMNS, InvoiceScorer, open_at, score_open_invoices
from models.training import train_model
from tests.models.factories import habit_book, invoice, known_at

AS_OF = pd.Timestamp("2025-06-15")


@cache
def _model() -> RiskModel:
    return train_model(Ledger.from_invoices(known_at(habit_book(), "2025-03-31")))


def _book_with_extras() -> pd.DataFrame:
    """The habit book seen on AS_OF, plus a new customer's invoice and a chronic payer's."""
    book = known_at(habit_book(), str(AS_OF.date()))
    extra = [
        invoice("NEW1", "newco", "2025-06-10", amount=900.0),
        invoice("BIG1", "CUST000", "2025-06-12", amount=float(book["amount"].max() * 5)),
    ]
    return pd.concat([book, pd.DataFrame(extra)], ignore_index=True)


def test_scores_have_the_contract_columns_and_sane_values() -> None:
    scores = score_open_invoices(_model(), Ledger.from_invoices(_book_with_extras()), AS_OF)
    assert tuple(scores.columns) == SCORE_COLUMNS
    assert scores["p_late"].between(0, 1).all()
    assert (scores["expected_days_late"] >= 0).all()
    assert scores["reasons"].map(len).ge(1).all()
    assert (scores["model_version"] == "unsaved").all()


def test_an_overdue_invoice_says_so_and_scores_the_risk_that_remains() -> None:
    ledger = Ledger.from_invoices(_book_with_extras())
    scores = score_open_invoices(_model(), ledger, AS_OF).set_index("invoice_id")
    due = ledger.invoices.set_index("invoice_id")["due_date"]
    overdue = scores[due[scores.index] < AS_OF]
    assert len(overdue) > 0
    days = (AS_OF - due[overdue.index]).dt.days.to_numpy()
    unpaid = _model().pay_curve.still_unpaid(days, OVERDUE_HORIZON_DAYS)
    np.testing.assert_allclose(overdue["p_late"], unpaid)
    assert (overdue["p_late"] < 1.0).all()
    first = overdue.iloc[0]
    assert first["reasons"][0] == (
        f"already {days[0]} days past due: {unpaid[0]:.0%} likely still unpaid in {OVERDUE_HORIZON_DAYS} days"
    )
    assert (overdue["expected_pay_date"] > AS_OF).all()


def test_an_invoice_109_days_late_is_not_expected_tomorrow() -> None:
    book = _book_with_extras()
    stale = invoice("STALE", "CUST001", str((AS_OF - pd.Timedelta(days=139)).date()))
    ledger = Ledger.from_invoices(pd.concat([book, pd.DataFrame([stale])], ignore_index=True))
    score = score_open_invoices(_model(), ledger, AS_OF).set_index("invoice_id").loc["STALE"]
    waiting = float(_model().pay_curve.expected_more_days(np.array([109.0]))[0])
    assert score["reasons"][0].startswith("already 109 days past due: ")
    assert 0 < score["p_late"] < 1
    assert score["expected_days_late"] >= 109 + waiting
    assert score["expected_pay_date"] >= AS_OF + pd.Timedelta(days=max(2, int(waiting)))


def test_chronic_late_payers_score_above_punctual_ones() -> None:
    book = known_at(habit_book(), str(AS_OF.date()))
    settled = book.dropna(subset=["paid_date"])
    late_rate = (settled["paid_date"] > settled["due_date"]).groupby(settled["customer_id"]).mean()
    scores = score_open_invoices(_model(), Ledger.from_invoices(book), AS_OF)
    invoices = Ledger.from_invoices(book).invoices.set_index("invoice_id")
    scores = scores[(invoices.loc[scores["invoice_id"], "due_date"] >= AS_OF).to_numpy()]  # not yet due
    customer = invoices["customer_id"]
    p_by_customer = scores.groupby(customer[scores["invoice_id"]].to_numpy())["p_late"].mean()
    late_rate = late_rate[p_by_customer.index]  # customers with an open invoice
    worst, best = late_rate.nlargest(5).index, late_rate.nsmallest(5).index
    assert p_by_customer[worst].mean() > p_by_customer[best].mean() + 0.3


def test_reasons_name_new_customers() -> None:
    scores = score_open_invoices(_model(), Ledger.from_invoices(_book_with_extras()), AS_OF)
    reasons = scores.set_index("invoice_id")["reasons"]
    assert "new customer: no payment history" in reasons["NEW1"]


def test_reasons_are_the_strongest_effects_phrased_with_the_invoice_values() -> None:
    columns = {
        "amount_vs_usual": np.array([3.04]),
        "amount": np.array([9000.0]),
        "hist_settled": np.array([12.0]),
        "last5_settled": np.array([5.0]),
        "last5_late": np.array([4.0]),
        "last5_mean_days_late": np.array([9.6]),  # 48 days over 4 late invoices
        "hist_late_rate": np.array([0.5]),
        "disputed": np.array([1.0]),
    }
    effects = np.array([[0.20, 0.31, 0.004]])
    reasons = top_reasons(["amount", "history", "disputed"], effects, columns, np.arange(1))
    assert reasons == [
        [
            "paid 4 of the last 5 invoices late, 12 days on average",
            "amount is 3.0× this customer's usual",
        ]
    ]


def test_reasons_can_be_limited_to_the_riskiest_invoices() -> None:
    ledger = Ledger.from_invoices(known_at(habit_book(), "2025-02-01"))
    scores = score_open_invoices(_model(), ledger, pd.Timestamp("2025-02-01"), reasons_for=3)
    explained = scores[scores["reasons"].map(lambda texts: any("past due" not in t for t in texts))]
    assert len(explained) == 3
    assert explained["p_late"].min() >= scores["p_late"].nlargest(3).min()


def test_single_invoice_scoring_matches_the_batch() -> None:
    ledger = Ledger.from_invoices(_book_with_extras())
    batch = score_open_invoices(_model(), ledger, AS_OF).set_index("invoice_id")
    scorer = InvoiceScorer.build(_model(), ledger, AS_OF)
    for row in ledger.invoices[open_at(ledger.invoices, AS_OF)].head(15).to_dict("records"):
        single = scorer.score({str(key): value for key, value in row.items()})
        expected = batch.loc[single["invoice_id"]]
        assert np.isclose(single["p_late"], expected["p_late"])
        assert np.isclose(single["expected_days_late"], expected["expected_days_late"])
        assert pd.Timestamp(single["expected_pay_date"]) == expected["expected_pay_date"]
        assert single["reasons"] == expected["reasons"]


def test_reasons_are_the_same_when_computed_in_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    ledger = Ledger.from_invoices(_book_with_extras())
    whole = score_open_invoices(_model(), ledger, AS_OF)
    monkeypatch.setattr(reasons, "CHUNK_ROWS", 7)
    chunked = score_open_invoices(_model(), ledger, AS_OF)
    pd.testing.assert_frame_equal(whole, chunked)
