"""Formatting helpers for templates."""

from __future__ import annotations

from decimal import Decimal

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


def money(amount: Decimal | float | None, currency: str = "USD") -> str:
    """``Decimal('12345.5'), 'USD'`` -> ``$12,345.50``; other currencies get their code."""
    if amount is None:
        return "—"
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    sign = "-" if value < 0 else ""
    symbol = SYMBOLS.get(currency)
    text = f"{abs(value):,.2f}"
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"


def compact_money(amount: float | None, currency: str = "USD") -> str:
    """``1234567.8, 'USD'`` -> ``$1.23M``: three significant figures, short enough for a chart label."""
    if amount is None:
        return "—"
    size = abs(amount)
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if size >= threshold:
            scaled = size / threshold
            # Three significant figures: 2.11M, 48.7k, 641k.
            text = f"{scaled:.{2 if scaled < 10 else 1 if scaled < 100 else 0}f}{suffix}"
            break
    else:
        text = f"{size:.0f}"
    sign = "-" if amount < 0 else ""
    symbol = SYMBOLS.get(currency)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"


def days(value: float | None, unit: str = "") -> str:
    """Days with one decimal and ``unit`` (``—`` alone when undefined)."""
    return "—" if value is None else f"{value:,.1f}{unit}"


def percent(value: float | None) -> str:
    """A 0-100 percentage with one decimal (``—`` when undefined)."""
    return "—" if value is None else f"{value:.1f}%"
