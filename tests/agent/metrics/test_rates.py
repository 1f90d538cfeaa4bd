"""Multi-currency books are converted to the reporting currency before anything is summed."""

from __future__ import annotations

import pytest

from agent.metrics.rates import Rates, UnknownCurrencyError
from agent.metrics.service import compute_metrics
from agent.settings import get_settings
from tests.agent.metrics.factories import day, invoice, ledger


def _book():
    return ledger(
        [
            invoice("U", "2024-03-01", "2024-03-31", 1000, currency="USD"),
            invoice("E", "2024-03-01", "2024-03-31", 1000, currency="EUR"),
        ],
        [("E", "2024-03-10", 400)],
    )


def test_amounts_and_payments_are_converted_with_the_rates_table() -> None:
    metrics = compute_metrics(_book(), day("2024-03-31"), 31, Rates("USD", {"EUR": 1.1}))
    assert metrics.currency == "USD"
    assert metrics.credit_sales == pytest.approx(1000 + 1100)
    assert metrics.ar == pytest.approx(1000 + 600 * 1.1)


def test_an_unknown_currency_is_a_clear_error() -> None:
    with pytest.raises(UnknownCurrencyError, match="no exchange rate from EUR to USD"):
        compute_metrics(_book(), day("2024-03-31"), 31, Rates("USD"))


def test_rates_must_be_positive() -> None:
    with pytest.raises(ValueError, match="rate for EUR"):
        Rates("USD", {"EUR": 0.0})


def test_reporting_currency_defaults_to_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUDGE_REPORTING_CURRENCY", "EUR")
    get_settings.cache_clear()
    try:
        metrics = compute_metrics(
            ledger([invoice("E", "2024-03-01", "2024-03-31", 50, currency="EUR")]),
            day("2024-03-31"),
            31,
        )
    finally:
        get_settings.cache_clear()
    assert metrics.currency == "EUR"
    assert metrics.ar == 50


def test_rates_default_to_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUDGE_FX_RATES", '{"EUR": 2.0}')
    get_settings.cache_clear()
    try:
        metrics = compute_metrics(_book(), day("2024-03-31"), 31)
        overridden = Rates.default(EUR=1.5)
    finally:
        get_settings.cache_clear()
    assert metrics.ar == pytest.approx(1000 + 600 * 2.0)
    assert overridden.rate("EUR") == 1.5
