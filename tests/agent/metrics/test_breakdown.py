"""Per-group metrics agree with the metrics of each group's own ledger."""

from __future__ import annotations

import math

import pytest

from agent.metrics.derive import METRIC_NAMES
from agent.metrics.rates import Rates
from agent.metrics.service import GroupBy, compute_breakdown, compute_metrics, terms_gap
from tests.agent.metrics.factories import day, subset, team_book

USD = Rates("USD")
AS_OF = day("2024-03-31")


def _same(left, right) -> None:
    for name in METRIC_NAMES:
        a, b = getattr(left, name), getattr(right, name)
        assert (a is None and b is None) or a == pytest.approx(b), name
    assert left.aging == pytest.approx(right.aging)
    assert left.undefined == right.undefined


@pytest.mark.parametrize(
    ("by", "column", "groups"),
    [
        ("customer", "customer_id", {"ACME": "ACME", "BOLT": "BOLT", "CRUX": "CRUX"}),
        ("owner", "owner_email", {"ann@x.io": "ann@x.io", "bob@x.io": "bob@x.io"}),
        ("segment", "segment", {"smb": "smb", "mid": "mid"}),
        ("terms", "terms_days", {"30": 30, "60": 60, "0": 0}),
    ],
)
def test_each_group_matches_its_own_ledger(by: GroupBy, column: str, groups: dict) -> None:
    book = team_book()
    breakdown = compute_breakdown(book, AS_OF, 31, by, USD)
    for key, value in groups.items():
        _same(breakdown[key], compute_metrics(subset(book, column, value), AS_OF, 31, USD))
    _same(breakdown.total, compute_metrics(book, AS_OF, 31, USD))


def test_invoices_without_an_owner_are_unassigned() -> None:
    breakdown = compute_breakdown(team_book(), AS_OF, 31, "owner", USD)
    assert sorted(breakdown) == ["ann@x.io", "bob@x.io", "unassigned"]
    assert breakdown["unassigned"].ar == pytest.approx(600)


def test_groups_add_up_to_the_whole_book() -> None:
    breakdown = compute_breakdown(team_book(), AS_OF, 31, "customer", USD)
    frame = breakdown.frame()
    assert frame["ar"].sum() == pytest.approx(breakdown.total.ar)
    assert frame["credit_sales"].sum() == pytest.approx(breakdown.total.credit_sales)
    assert breakdown.to_dict()["BOLT"]["ar"] == pytest.approx(2500 + 3000 - 250)


def test_terms_gap_puts_the_customer_furthest_past_its_terms_first() -> None:
    gap = terms_gap(compute_breakdown(team_book(), AS_OF, 31, "customer", USD))
    # BOLT: ar 5250 on sales 2750 over 31 days = 59.18 days on ~60-day terms;
    # ACME: 500 on 500 = 31 days on 30-day terms; CRUX: 600 on 600 = 31 on 30
    # (a tie: the larger balance first).
    assert list(gap.index) == ["CRUX", "ACME", "BOLT"]
    assert gap.loc["ACME", "gap_days"] == pytest.approx(1.0)
    assert gap.loc["BOLT", "gap_days"] == pytest.approx(5250 / 2750 * 31 - 60)
    assert not any(math.isnan(v) for v in gap["gap_days"])


def test_unknown_grouping_is_rejected() -> None:
    with pytest.raises(ValueError, match="cannot group by 'region'"):
        compute_breakdown(team_book(), AS_OF, 31, "region", USD)  # type: ignore[arg-type]
