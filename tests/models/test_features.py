"""As-of features: what a customer's history looked like on the scoring date, and nothing later."""

import numpy as np
import pandas as pd
import pytest

from ledger.frame import Ledger
from models.features import FEATURES, training_features
from models.frames import FrameError, OptionalFrames
from models.scoring import score_open_invoices
from models.training import train_model
from tests.models.factories import habit_book, invoice, known_at, ledger_of


def _features(ledger: Ledger, frames: OptionalFrames | None = None) -> pd.DataFrame:
    return training_features(ledger, frames).set_index(ledger.invoices["invoice_id"])


def test_history_counts_only_invoices_settled_before_the_issue_date() -> None:
    ledger = ledger_of(
        invoice("A1", "acme", "2024-01-01", paid="2024-02-10", amount=100),  # 10 days late
        invoice("A2", "acme", "2024-02-01", paid="2024-02-20", amount=100),
        invoice("A3", "acme", "2024-03-01", paid="2024-03-05", amount=300),
    )
    features = _features(ledger)
    a2, a3 = features.loc["A2"], features.loc["A3"]
    assert a2["hist_settled"] == 0  # A1 was still open on 1 February
    assert a2["open_invoices"] == 1
    assert a2["overdue_invoices"] == 1
    assert a2["overdue_amount"] == 100
    assert a3["hist_settled"] == 2
    assert a3["hist_late_rate"] == 0.5
    assert a3["hist_mean_days_late"] == 5
    assert a3["hist_max_days_late"] == 10
    assert a3["open_invoices"] == 0
    assert a3["amount_vs_usual"] == pytest.approx(3.0, rel=0.01)


def test_a_new_customer_has_no_history_but_the_population_prior() -> None:
    ledger = ledger_of(
        invoice("A1", "acme", "2024-01-01", paid="2024-02-10"),
        invoice("B1", "bolt", "2024-03-01", paid="2024-03-10"),
    )
    b1 = _features(ledger).loc["B1"]
    assert b1["hist_settled"] == 0
    assert np.isnan(b1["hist_late_rate"])
    assert b1["population_late_rate"] == 1.0
    assert b1["prior_invoices"] == 0
    assert np.isnan(b1["amount_vs_usual"])


def test_a_new_customers_prior_is_its_peers_late_rate_shrunk_towards_the_book() -> None:
    # Peers: same segment, terms band and amount band. Three small SMB invoices paid late,
    # two large enterprise ones on time; the newcomer is small, SMB, net 30.
    ledger = ledger_of(
        *[
            invoice(f"S{i}", f"smb{i}", "2024-01-01", amount=200.0, paid="2024-02-15", segment="smb")
            for i in range(3)
        ],
        *[
            invoice(f"E{i}", f"ent{i}", "2024-01-01", amount=90_000.0, paid="2024-01-20", segment="ent")
            for i in range(2)
        ],
        invoice("NEW", "newco", "2024-03-01", amount=250.0, segment="smb"),
    )
    new = _features(ledger).loc["NEW"]
    book_rate, book_days = 3 / 5, 3 * 15 / 5
    assert new["hist_settled"] == 0
    assert new["peer_late_rate"] == pytest.approx((3 + 20 * book_rate) / (3 + 20))
    assert new["peer_mean_days_late"] == pytest.approx((3 * 15 + 20 * book_days) / (3 + 20))
    assert new["hist_late_rate_smoothed"] == pytest.approx(new["peer_late_rate"])


def test_promises_disputes_and_crm_signals_count_as_of_the_date() -> None:
    ledger = ledger_of(
        invoice("A1", "acme", "2024-01-01", paid="2024-02-10"),
        invoice("A2", "acme", "2024-03-01", paid="2024-03-20"),
        invoice("A3", "acme", "2024-05-01", paid="2024-05-20"),
    )
    frames = OptionalFrames.of(
        promises=pd.DataFrame(
            {
                "customer_id": ["acme", "acme"],
                "promised_for": ["2024-02-05", "2024-04-01"],
                "kept_on": ["2024-02-10", "2024-03-30"],  # first broken, second kept
            }
        ),
        disputes=pd.DataFrame(
            {"customer_id": ["acme"], "opened_on": ["2024-02-15"], "resolved_on": ["2024-04-10"]}
        ),
        signals=pd.DataFrame(
            {
                "customer_id": ["acme", "acme"],
                "observed_on": ["2024-02-01", "2024-04-01"],
                "renewal_date": ["2024-06-30", "2024-06-30"],
                "open_tickets": [1, 4],
                "health_score": [80, 40],
            }
        ),
    )
    features = _features(ledger, frames)
    a2, a3 = features.loc["A2"], features.loc["A3"]
    assert a2["broken_promises"] == 1
    assert a3["broken_promises"] == 1
    assert a2["open_disputes"] == 1
    assert a3["open_disputes"] == 0
    assert (a2["open_tickets"], a2["health_score"]) == (1, 80)
    assert (a3["open_tickets"], a3["health_score"]) == (4, 40)
    assert a3["renewal_in_days"] == 60


def test_without_optional_frames_their_features_are_missing() -> None:
    features = _features(ledger_of(invoice("A1", "acme", "2024-01-01")))
    assert features[["broken_promises", "open_disputes", "health_score"]].isna().all().all()


def test_a_frame_without_its_date_column_is_refused_by_name() -> None:
    with pytest.raises(FrameError, match="promises: missing column"):
        OptionalFrames.of(promises=pd.DataFrame({"customer_id": ["acme"]}))


def test_features_do_not_change_when_later_rows_are_appended() -> None:
    book = habit_book(customers=30, per_customer=18)
    cut = "2025-01-15"
    past = Ledger.from_invoices(known_at(book, cut))
    full = Ledger.from_invoices(book)
    then = _features(past)
    now = _features(full).loc[then.index]
    pd.testing.assert_frame_equal(then[list(FEATURES)], now[list(FEATURES)])


def test_scores_for_a_date_do_not_change_when_later_rows_are_appended() -> None:
    book = habit_book(customers=30, per_customer=18)
    model = train_model(Ledger.from_invoices(known_at(book, "2024-12-31")))
    cut = pd.Timestamp("2025-01-15")
    then = score_open_invoices(model, Ledger.from_invoices(known_at(book, "2025-01-15")), cut)
    now = score_open_invoices(model, Ledger.from_invoices(book), cut)
    assert len(then) > 20
    pd.testing.assert_frame_equal(then, now)
