"""Choosing the served model on the training window: it never loses to its own baselines."""

from functools import cache

import numpy as np
import pandas as pd

from ledger.frame import Ledger
from models.candidates import CANDIDATES
from models.evaluation import evaluate, time_split_cutoff
from models.rows import LabelledRows
from models.selection import select_candidate
from models.training import train_model
from tests.models.factories import habit_book


def noise_history_book(invoices: int = 2400, customers: int = 80, seed: int = 3) -> pd.DataFrame:
    """A ledger where lateness depends on the invoice alone: a customer's history is pure noise."""
    rng = np.random.default_rng(seed)
    issue = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 600, invoices)), "D")
    disputed = rng.random(invoices) < 0.3
    amount = np.round(rng.lognormal(7.0, 1.0, invoices), 2)
    terms = rng.choice([15, 30, 60], invoices)
    # A three-way interaction of the invoice's own fields: only a deep enough learner sees it.
    risky = disputed ^ (amount > 1100) ^ (terms == 60)
    late = rng.random(invoices) < np.where(risky, 0.8, 0.15)
    days_vs_due = np.where(late, 1 + rng.poisson(8, invoices), -rng.integers(0, 20, invoices))
    return pd.DataFrame(
        {
            "invoice_id": [f"N{i:05d}" for i in range(invoices)],
            "customer_id": [f"C{c:03d}" for c in rng.integers(0, customers, invoices)],
            "issue_date": issue,
            "due_date": issue + pd.to_timedelta(terms, "D"),
            "amount": amount,
            "paid_date": issue + pd.to_timedelta(terms + days_vs_due, "D"),
            "disputed": disputed,
        }
    )


@cache
def _noise_rows() -> LabelledRows:
    return LabelledRows.of(Ledger.from_invoices(noise_history_book()))


def test_a_baseline_is_served_when_history_is_noise() -> None:
    selection = select_candidate(_noise_rows())
    assert selection.better_baseline == "invoice_only"
    assert selection.chosen == "invoice_only"
    assert selection.reason.startswith(
        "no candidate beats the baselines on the inner split, so the better baseline (invoice_only: AUC "
    )
    learned = [name for name, candidate in CANDIDATES.items() if not candidate.baseline]
    best_baseline = max(selection.metrics[name]["roc_auc"] for name in ("invoice_only", "prior_late_rate"))
    for name in learned:
        m, bar = selection.metrics[name], selection.metrics["invoice_only"]
        beaten = (
            m["roc_auc"] > best_baseline
            and m["ece"] <= bar["ece"]
            and m["mae_days_late"] <= bar["mae_days_late"]
        )
        assert not beaten, name
        assert f"{name}: " in selection.reason


def test_the_served_baseline_is_what_the_evaluation_scores_on_held_out_rows() -> None:
    rows = _noise_rows()
    result = evaluate(rows, time_split_cutoff(rows.issue_dates))
    assert result["served"] == result["selection"]["chosen"] == "invoice_only"
    assert result["model"] == result["baselines"]["invoice_only"]


def test_training_is_reproducible() -> None:
    ledger = Ledger.from_invoices(habit_book(customers=40))
    first, second = train_model(ledger), train_model(ledger)
    assert first.card["selection"] == second.card["selection"]
    assert first.card["metrics"] == second.card["metrics"]
    assert first.card["evaluation"] == second.card["evaluation"]


def test_a_book_too_small_to_split_serves_the_default_and_says_so() -> None:
    rows = LabelledRows.of(Ledger.from_invoices(habit_book(customers=4, per_customer=12)))
    selection = select_candidate(rows)
    assert selection.chosen == "boosting"
    assert selection.metrics == {}
    assert selection.reason.startswith("too little history for an inner time split")
