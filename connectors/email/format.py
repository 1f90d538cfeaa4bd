"""How amounts, dates and risks read in an e-mail (the templates' filters)."""

from __future__ import annotations

from decimal import Decimal

from connectors.core.protocols import AccountSection, InvoiceLine


def money(amount: Decimal, currency: str) -> str:
    """``12,500.00 USD``: always with its currency, never a bare number."""
    return f"{amount:,.2f} {currency}"


def due_phrase(invoice: InvoiceLine) -> str:
    """``due 2026-10-01, 12 days past due`` (or ``due in 3 days``, ``due today``)."""
    days = invoice.days_past_due
    if days > 0:
        late = f"{days} day{'s' if days != 1 else ''} past due"
    elif days == 0:
        late = "due today"
    else:
        late = f"due in {-days} day{'s' if days != -1 else ''}"
    return f"due {invoice.due_date.isoformat()}, {late}"


def chance(p_late: float) -> str:
    """A probability as a whole percentage: ``72%``."""
    return f"{round(p_late * 100)}%"


def dso_phrase(section: AccountSection) -> str | None:
    """``DSO 58 days against 30-day terms`` (or whichever half is known; None if neither)."""
    dso = None if section.dso is None else f"DSO {round(section.dso)} days"
    terms = None if section.terms_days is None else f"{section.terms_days}-day terms"
    if dso and terms:
        return f"{dso} against {terms}"
    return dso or (f"on {terms}" if terms else None)
