"""Every metric on a hand-computed book (see ``factories.march_book`` for the ledger)."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from agent.metrics.rates import Rates
from agent.metrics.service import compute_breakdown, compute_metrics
from ledger.frame import Ledger, empty_payments, normalise_invoices
from tests.agent.metrics.factories import day, invoice, ledger, march_book

USD = Rates("USD")


@pytest.fixture(scope="module")
def march():
    return compute_metrics(march_book(), day("2024-03-31"), 31, USD)


def test_ar_counts_partial_payments_and_credit_notes(march) -> None:
    # B 1500 (after its 500 partial) + D 800 + E 700 - CN 200; A, F and C are paid.
    assert march.ar == pytest.approx(2800)


def test_credit_sales_are_net_of_credit_notes_dated_in_the_period(march) -> None:
    # B 2000 + C 300 + E 700 - CN 200; A, F, D are dated before March.
    assert march.credit_sales == pytest.approx(2800)


def test_dso_is_ar_over_sales_times_days(march) -> None:
    assert march.dso == pytest.approx(2800 / 2800 * 31)


def test_best_possible_dso_counts_invoices_due_on_as_of_as_current(march) -> None:
    # Not yet due: B 1500, E 700 (due on the as-of date), the credit -200.
    assert march.best_possible_dso == pytest.approx(2000 / 2800 * 31)
    assert march.delinquent_dso == pytest.approx(31 - 2000 / 2800 * 31)


def test_dso_average_ar_uses_end_of_day_balances(march) -> None:
    # Balance x days in March: A 600x9, F 500x4, D 800x31, B 2000x15 + 1500x12,
    # C 300x17, E 700x31, CN -200x20 = 103,000; mean = 103,000 / 31.
    assert march.dso_average_ar == pytest.approx(103_000 / 31 / 2800 * 31)


def test_cei_uses_the_opening_balance_of_the_day_before_the_period(march) -> None:
    # Opening (end of Feb 29): A 600 (after 400 on 02-20) + F 500 + D 800 = 1900.
    assert march.cei == pytest.approx((1900 + 2800 - 2800) / (1900 + 2800 - 2000) * 100)


def test_aging_and_percent_current(march) -> None:
    assert march.aging == pytest.approx({"current": 2000, "1-30": 800, "31-60": 0, "61-90": 0, "91+": 0})
    assert march.percent_current == pytest.approx(2000 / 2800 * 100)


def test_payment_behaviour_of_invoices_paid_in_the_period(march) -> None:
    # Paid in March: A (55 days, 25 late), F (24 days, on time), C (17 days, 7 late).
    assert march.late_rate == pytest.approx(2 / 3)
    assert march.average_days_to_pay == pytest.approx((1000 * 55 + 500 * 24 + 300 * 17) / 1800)
    assert march.average_days_late == pytest.approx((1000 * 25 + 300 * 7) / 1800)


def test_weighted_terms_are_weighted_by_sales_of_the_period(march) -> None:
    # B 30 days x 2000, C 10 x 300, E 30 x 700; the credit note has no terms.
    assert march.weighted_terms_days == pytest.approx((30 * 2000 + 10 * 300 + 30 * 700) / 3000)


def test_countback_stops_inside_the_as_of_month(march) -> None:
    assert march.countback_dso == pytest.approx(31)
    assert march.undefined == {}


def test_an_empty_period_gives_null_with_a_reason_never_zero_or_infinity() -> None:
    book = ledger([invoice("OLD", "2023-01-10", "2023-02-09", 500)])
    metrics = compute_metrics(book, day("2024-03-31"), 30, USD)
    assert metrics.ar == 500
    assert metrics.credit_sales == 0
    for name in ("dso", "dso_average_ar", "best_possible_dso", "delinquent_dso"):
        assert getattr(metrics, name) is None
        assert metrics.undefined[name] == "no credit sales in the period"
    assert metrics.undefined["late_rate"] == "no invoices were paid in the period"
    assert metrics.undefined["weighted_terms_days"] == "no invoices were issued in the period"
    assert metrics.aging["91+"] == 500
    text = json.dumps(metrics.to_dict(), allow_nan=False)
    assert '"dso": null' in text


def test_a_ledger_without_invoices_gives_nulls() -> None:
    metrics = compute_metrics(
        ledger([invoice("X", "2025-01-01", "2025-01-31", 10)]), day("2024-03-31"), 30, USD
    )
    assert metrics.ar == 0
    assert metrics.percent_current is None
    assert metrics.undefined["percent_current"] == "no open balance at the as-of date"
    assert metrics.countback_dso == 0
    assert metrics.undefined["cei"] == "nothing was collectible in the period"
    assert not any(isinstance(v, float) and math.isnan(v) for v in metrics.to_dict().values())


def test_credit_notes_exceeding_sales_make_dso_undefined() -> None:
    book = ledger(
        [
            invoice("OLD", "2024-01-10", "2024-02-09", 900),
            invoice("CN", "2024-03-10", "2024-03-10", -300),
            invoice("NEW", "2024-03-12", "2024-04-11", 100),
        ]
    )
    metrics = compute_metrics(book, day("2024-03-31"), 31, USD)
    assert metrics.credit_sales == pytest.approx(-200)
    assert metrics.dso is None
    assert metrics.undefined["dso"] == "credit notes exceed sales in the period"


def test_payments_after_as_of_do_not_count() -> None:
    book = ledger([invoice("I", "2024-03-01", "2024-03-31", 1000)], [("I", "2024-04-02", 1000)])
    metrics = compute_metrics(book, day("2024-03-31"), 31, USD)
    assert metrics.ar == 1000
    assert metrics.late_rate is None


def test_period_must_be_at_least_one_day() -> None:
    with pytest.raises(ValueError, match="period_days must be at least 1"):
        compute_metrics(march_book(), day("2024-03-31"), 0, USD)


def test_an_empty_ledger_from_the_store_is_all_nulls_not_a_crash() -> None:
    invoices = normalise_invoices(
        pd.DataFrame(
            {
                "invoice_id": pd.Series(dtype=object),
                "customer_id": pd.Series(dtype=object),
                "issue_date": pd.Series(dtype="datetime64[ns]"),
                "due_date": pd.Series(dtype="datetime64[ns]"),
                "amount": pd.Series(dtype=float),
            }
        )
    )
    empty = Ledger(invoices=invoices, payments=empty_payments())
    metrics = compute_metrics(empty, day("2024-03-31"), 30, USD)
    assert (metrics.ar, metrics.dso, metrics.countback_dso) == (0, None, 0)
    assert len(compute_breakdown(empty, day("2024-03-31"), 30, "customer", USD)) == 0
