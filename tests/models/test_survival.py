"""Time to payment of overdue invoices: a hazard over days past due, censoring open ones."""

import numpy as np
import pandas as pd
import pytest

from models.survival import DEFAULT_TAIL_HAZARD, HORIZON, PayCurve


def test_a_constant_daily_payment_rate_gives_a_memoryless_wait() -> None:
    rng = np.random.default_rng(0)
    days = rng.geometric(0.1, 20_000)
    curve = PayCurve.from_durations(days, np.ones(len(days), bool))
    waits = curve.expected_more_days(np.array([0.0, 10.0, 40.0, 2 * HORIZON]))
    assert waits == pytest.approx([10.0, 10.0, 10.0, 10.0], rel=0.1)
    assert curve.still_unpaid(np.array([5.0]), 30)[0] == pytest.approx(0.9**30, rel=0.2)


def test_open_invoices_count_as_still_unpaid_not_as_paid() -> None:
    days = np.array([3] * 50 + [10] * 50)
    paid_all = PayCurve.from_durations(days, np.ones(100, bool))
    half_open = PayCurve.from_durations(days, np.array([True] * 50 + [False] * 50))
    assert half_open.expected_more_days(np.array([5.0]))[0] > paid_all.expected_more_days(np.array([5.0]))[0]
    assert half_open.still_unpaid(np.array([5.0]), 30)[0] > paid_all.still_unpaid(np.array([5.0]), 30)[0]


def test_the_curve_is_fit_on_invoices_that_went_past_due_and_survives_the_card() -> None:
    issue = pd.Timestamp("2025-01-01") + pd.to_timedelta(np.arange(120), "D")
    late_by = np.where(np.arange(120) % 2 == 0, 5 + np.arange(120) % 7, -3)
    invoices = pd.DataFrame(
        {
            "issue_date": issue,
            "due_date": issue + pd.Timedelta(days=30),
            "paid_date": issue + pd.to_timedelta(30 + late_by, "D"),
        }
    )
    curve = PayCurve.fit(invoices)
    assert curve.hazard[1:5].tolist() == pytest.approx([1e-3] * 4)  # nobody paid 1-4 days late
    restored = PayCurve.from_card(curve.to_card())
    grid = np.array([0.0, 7.0, 200.0])
    assert restored.expected_more_days(grid) == pytest.approx(curve.expected_more_days(grid), rel=1e-4)


def test_a_book_without_late_payments_assumes_a_two_week_wait() -> None:
    curve = PayCurve.from_card(None)
    assert curve.expected_more_days(np.array([50.0]))[0] == pytest.approx(1 / DEFAULT_TAIL_HAZARD)
    assert 0 < curve.still_unpaid(np.array([50.0]), 30)[0] < 1
