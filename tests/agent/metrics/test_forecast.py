"""13-week cash forecast from due dates plus each customer's historical delay."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from agent.metrics.forecast import cash_forecast
from agent.metrics.rates import Rates
from tests.agent.metrics.factories import day, invoice, ledger

USD = Rates("USD")
AS_OF = day("2024-06-30")


def _book():
    return ledger(
        [
            # ACME's history: 1000 paid 10 days late, 1000 on time -> 5 days on average.
            invoice("H1", "2024-03-01", "2024-03-31", 1000, customer="ACME"),
            invoice("H2", "2024-04-01", "2024-05-01", 1000, customer="ACME"),
            invoice("O1", "2024-06-03", "2024-07-03", 400, customer="ACME"),  # -> Jul 8
            invoice("O2", "2024-05-02", "2024-06-01", 300, customer="ACME"),  # -> Jun 6, passed
            invoice("P1", "2024-06-20", "2024-07-20", 800, customer="NEWCO"),  # no history
            invoice("L1", "2024-06-30", "2024-12-31", 900, customer="NEWCO"),  # beyond 13 weeks
            invoice("CN", "2024-06-10", "2024-06-10", -50, customer="NEWCO"),  # not a collection
        ],
        [("H1", "2024-04-10", 1000), ("H2", "2024-05-01", 1000), ("P1", "2024-06-25", 200)],
    )


def _week(forecast, start: str):
    return next(w for w in forecast.weeks if w.week_start == date.fromisoformat(start))


def test_weeks_start_the_day_after_as_of() -> None:
    forecast = cash_forecast(_book(), AS_OF, rates=USD)
    assert len(forecast.weeks) == 13
    assert forecast.weeks[0].week_start == day("2024-07-01")
    assert forecast.weeks[-1].week_start == day("2024-09-23")


def test_expected_dates_use_the_customer_average_delay() -> None:
    forecast = cash_forecast(_book(), AS_OF, rates=USD)
    # O2 expected Jun 6 has passed: week 1. O1 due Jul 3 + 5 days = Jul 8: week 2.
    assert (
        _week(forecast, "2024-07-01").expected_amount,
        _week(forecast, "2024-07-01").invoice_count,
    ) == (300, 1)
    assert _week(forecast, "2024-07-08").expected_amount == 400
    # P1 (no history) is expected on its due date Jul 20 with its open 600.
    assert _week(forecast, "2024-07-15").expected_amount == 600
    assert forecast.without_history_count == 2
    assert (forecast.beyond_amount, forecast.beyond_count) == (900, 1)
    assert sum(w.expected_amount for w in forecast.weeks) + forecast.beyond_amount == pytest.approx(2200)


def test_model_delays_override_the_customer_average() -> None:
    forecast = cash_forecast(
        _book(), AS_OF, rates=USD, expected_days_late=pd.Series({"P1": 30.0, "O1": float("nan")})
    )
    # P1: Jul 20 + 30 = Aug 19, the first day of week 8; O1 keeps ACME's 5 days.
    assert _week(forecast, "2024-08-19").expected_amount == 600
    assert _week(forecast, "2024-07-15").expected_amount == 0
    assert _week(forecast, "2024-07-08").expected_amount == 400
    assert forecast.without_history_count == 1


def test_an_override_for_an_unknown_invoice_is_an_error() -> None:
    with pytest.raises(ValueError, match="invoice_id 'NOPE' is not in the ledger"):
        cash_forecast(_book(), AS_OF, rates=USD, expected_days_late=pd.Series({"NOPE": 3.0}))


def test_to_dict_is_json_ready() -> None:
    payload = cash_forecast(_book(), AS_OF, rates=USD).to_dict()
    assert payload["weeks"][0] == {
        "week_start": "2024-07-01",
        "expected_amount": 300.0,
        "invoice_count": 1,
    }
    assert payload["currency"] == "USD"
