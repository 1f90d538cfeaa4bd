"""As-of look-ups: strictly before the date, per customer, exact running totals."""

import numpy as np

from models.asof import EventIndex


def _index() -> EventIndex:
    # customer 0 has events on days 10, 20, 20, 30; customer 1 on day 15.
    codes = np.array([0, 1, 0, 0, 0])
    days = np.array([20, 15, 10, 30, 20])
    return EventIndex.build(codes, days, {"late": np.array([1.0, 1.0, 0.0, 1.0, 0.0])})


def test_an_event_on_the_scoring_day_is_not_yet_known() -> None:
    index = _index()
    pos = index.last_before(np.array([0, 0, 0, 1, 1]), np.array([10, 11, 20, 15, 16]))
    assert index.count(pos).tolist() == [0, 1, 1, 0, 1]


def test_totals_belong_to_the_asked_customer_only() -> None:
    index = _index()
    pos = index.last_before(np.array([0, 1, 2]), np.array([100, 100, 100]))
    assert index.total("late", pos).tolist() == [2.0, 1.0, 0.0]
    assert index.count(pos).tolist() == [4, 1, 0]


def test_total_last_sums_only_the_most_recent_events() -> None:
    index = _index()
    pos = index.last_before(np.array([0, 0]), np.array([100, 25]))
    assert index.total_last("late", pos, 2).tolist() == [1.0, 1.0]
    assert index.total_last("late", pos, 10).tolist() == [2.0, 1.0]


def test_running_totals_stay_exact_after_a_customer_with_huge_values() -> None:
    codes = np.array([0, 0, 1, 1])
    index = EventIndex.build(codes, np.array([1, 2, 1, 2]), {"weight": np.array([1e17, 1e17, 1.0, 2.0])})
    pos = index.last_before(np.array([1]), np.array([3]))
    assert index.total("weight", pos).tolist() == [3.0]


def test_unknown_customers_match_no_event() -> None:
    index = EventIndex.build(np.array([-1, 0]), np.array([1, 1]), {"late": np.array([1.0, 0.0])})
    pos = index.last_before(np.array([-1, 0]), np.array([5, 5]))
    assert index.count(pos).tolist() == [0, 1]


def test_an_aggregated_index_answers_counts_and_totals_like_the_full_one() -> None:
    rng = np.random.default_rng(1)
    codes, days = rng.integers(0, 3, 500), rng.integers(0, 40, 500)
    values = {
        "late": rng.integers(0, 2, 500).astype(float),
        "days_late": rng.integers(0, 30, 500).astype(float),
    }
    full = EventIndex.build(codes, days, values)
    merged = EventIndex.build(codes, days, values, aggregate=True)
    query_codes, query_days = np.repeat(np.arange(4), 45), np.tile(np.arange(45), 4)
    at_full, at_merged = (
        full.last_before(query_codes, query_days),
        merged.last_before(query_codes, query_days),
    )
    assert len(merged.keys) <= 3 * 40 < len(full.keys)
    np.testing.assert_array_equal(full.count(at_full), merged.count(at_merged))
    for name in values:
        np.testing.assert_allclose(full.total(name, at_full), merged.total(name, at_merged))
    np.testing.assert_array_equal(full.day(at_full), merged.day(at_merged))
