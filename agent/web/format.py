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
