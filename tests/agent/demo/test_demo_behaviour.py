"""The demo book is learnable but noisy: archetypes show in the payments, signals weakly."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from agent.demo.accounts import ARCHETYPES, SEGMENTS, TERMS_LABELS
from tests.agent.demo.factories import AGING_LABELS, AS_OF, aging_buckets, demo_book, prior_late_rates


def _settled_with_archetype() -> pd.DataFrame:
    book = demo_book()
    invoices = book.invoices
    settled = invoices[(invoices["amount"] > 0) & invoices["paid_date"].notna()].copy()
    settled["late"] = settled["paid_date"] > settled["due_date"]
    settled["days_late"] = (settled["paid_date"] - settled["due_date"]).dt.days
    settled["archetype"] = settled["customer_id"].map(book.accounts.set_index("account_id")["archetype"])
    return settled


def test_prior_late_rate_predicts_lateness_in_a_realistic_band() -> None:
    rates = prior_late_rates(demo_book().invoices)
    auc = roc_auc_score(rates["late"], rates["prior_late_rate"])
    assert len(rates) > 3_000
    assert 0.65 < auc < 0.92


def test_every_archetype_segment_terms_and_aging_bucket_appears() -> None:
    book = demo_book()
    assert set(book.accounts["archetype"]) == set(ARCHETYPES)
    assert set(book.accounts["segment"]) == set(SEGMENTS)
    assert set(book.accounts["terms_label"]) == set(TERMS_LABELS)
    assert set(aging_buckets(book.invoices, AS_OF)) == set(AGING_LABELS)


def test_segments_have_realistic_proportions_and_invoice_sizes() -> None:
    book = demo_book()
    share = book.accounts["segment"].value_counts(normalize=True)
    assert share["smb"] > share["mid-market"] > share["enterprise"] > 0.05
    recurring = book.invoices[book.invoices["amount"] > 0]
    median = recurring.groupby("segment")["amount"].median()
    assert 500 <= median["smb"] <= 5_000
    assert 5_000 <= median["mid-market"] <= 40_000
    assert 30_000 <= median["enterprise"] <= 250_000


def test_archetypes_order_lateness_as_named() -> None:
    late = _settled_with_archetype().groupby("archetype")["late"].mean()
    assert late["prompt"] < 0.3
    assert late["chronically_late"] > 0.75
    assert late["prompt"] < late["seasonal"] < late["chronically_late"]
    chronic = _settled_with_archetype().query("archetype == 'chronically_late' and late")
    assert 10 <= chronic["days_late"].median() <= 40


def test_deteriorating_payers_get_later_over_the_last_eight_months() -> None:
    settled = _settled_with_archetype().query("archetype == 'deteriorating'")
    recent = settled["due_date"] > pd.Timestamp(AS_OF) - pd.DateOffset(months=8)
    assert settled.loc[recent, "days_late"].mean() > settled.loc[~recent, "days_late"].mean() + 5


def test_seasonal_payers_are_later_in_q4_or_summer() -> None:
    settled = _settled_with_archetype().query("archetype == 'seasonal'")
    in_season = settled["due_date"].dt.month.isin([7, 8, 10, 11, 12])
    assert settled.loc[in_season, "late"].mean() > settled.loc[~in_season, "late"].mean() + 0.1


def test_disputed_invoices_are_paid_much_later() -> None:
    settled = _settled_with_archetype()
    disputed = settled[settled["disputed"]]
    assert disputed["days_late"].median() > settled.loc[~settled["disputed"], "days_late"].median() + 20
    assert settled.groupby("archetype")["disputed"].mean().idxmax() == "disputing"


def test_partial_payers_pay_in_two_or_three_parts() -> None:
    book = demo_book()
    archetype = book.accounts.set_index("account_id")["archetype"]
    payments = book.payments[book.payments["kind"] == "payment"]
    counts = payments.groupby("invoice_id").size()
    owner = payments.groupby("invoice_id")["customer_id"].first().map(archetype)
    partial = counts[owner == "partial_payer"]
    assert (partial > 1).mean() > 0.7
    assert partial.max() <= 3
    assert (counts[owner != "partial_payer"] > 1).mean() < 0.1


def test_some_prompt_payers_take_the_early_payment_discount() -> None:
    settled = _settled_with_archetype()
    discount = settled[settled["early_discount_pct"] == 2]
    inside_window = (discount["paid_date"] - discount["issue_date"]).dt.days <= 10
    assert 0.1 < inside_window.mean() < 0.8


def test_signals_track_payment_behaviour_weakly() -> None:
    book = demo_book()
    signals = book.signals
    assert set(signals["kind"]) == {
        "renewal_date",
        "open_deals",
        "open_tickets",
        "health_score",
        "nps",
    }
    assert (signals["observed_at"] <= pd.Timestamp(AS_OF) + pd.Timedelta(days=1)).all()
    assert set(signals["source"]) == {"hubspot", "salesforce"}
    health = signals[signals["kind"] == "health_score"].assign(value=lambda f: f["value"].astype(float))
    latest = health.sort_values("observed_at").groupby("account_id")["value"].last()
    settled = _settled_with_archetype()
    paired = pd.concat([latest, settled.groupby("customer_id")["late"].mean()], axis=1).dropna()
    correlation = np.corrcoef(paired.iloc[:, 0], paired.iloc[:, 1])[0, 1]
    assert -0.8 < correlation < -0.1
    renewals = signals[signals["kind"] == "renewal_date"]["value"]
    assert (pd.to_datetime(renewals) > pd.Timestamp(AS_OF) - pd.Timedelta(days=40)).all()


def test_promises_are_kept_broken_and_open() -> None:
    book = demo_book()
    promises = book.promises
    assert set(promises["status"]) == {"kept", "broken", "open"}
    assert (promises["promised_date"] > promises["created_at"].dt.normalize()).all()
    assert (promises["created_at"] <= pd.Timestamp(AS_OF) + pd.Timedelta(days=1)).all()
    assert (promises["amount"] > 0).all()
    kept = promises[promises["status"] == "kept"]
    paid = kept["invoice_id"].map(book.invoices.set_index("invoice_id")["paid_date"])
    assert (paid <= kept["promised_date"] + pd.Timedelta(days=2)).all()
    still_open = promises[promises["status"] == "open"]
    assert (still_open["promised_date"] + pd.Timedelta(days=2) >= pd.Timestamp(AS_OF)).all()


def test_disputes_open_before_as_of_and_resolve_after_opening() -> None:
    book = demo_book()
    disputes = book.disputes
    assert set(disputes["status"]) == {"open", "resolved"}
    assert set(disputes["reason"]) == {"pricing", "service", "duplicate", "quantity", "other"}
    assert (disputes["opened_at"] <= pd.Timestamp(AS_OF)).all()
    resolved = disputes[disputes["status"] == "resolved"]
    assert (resolved["resolved_at"] >= resolved["opened_at"]).all()
    assert disputes.loc[disputes["status"] == "open", "resolved_at"].isna().all()
    flagged = book.invoices.loc[book.invoices["disputed"], "invoice_id"]
    assert set(flagged) == set(disputes["invoice_id"])
