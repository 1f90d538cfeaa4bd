"""Short money for chart labels, days and percentages for the dashboard's tables."""

from __future__ import annotations

from agent.web.format import compact_money, days, percent
from agent.web.metric_charts import month_captions


def test_compact_money_keeps_three_significant_figures() -> None:
    assert compact_money(1_855_316.33) == "$1.86M"
    assert compact_money(150_586.96) == "$151k"
    assert compact_money(48_712.0) == "$48.7k"
    assert compact_money(999.4) == "$999"
    assert compact_money(-2_338.49, "EUR") == "-€2.34k"
    assert compact_money(12_000.0, "CHF") == "12.0k CHF"


def test_undefined_days_and_percentages_show_a_dash() -> None:
    assert (days(None), percent(None)) == ("—", "—")
    assert (days(1234.56), days(9.96, " days"), percent(70.71)) == ("1,234.6", "10.0 days", "70.7%")
    assert days(None, " days") == "—"


def test_month_captions_name_the_year_where_it_starts_or_changes() -> None:
    assert month_captions(["2025-11", "2025-12", "2026-01", "2026-02"]) == [
        "Nov ’25",
        "Dec",
        "Jan ’26",
        "Feb",
    ]
