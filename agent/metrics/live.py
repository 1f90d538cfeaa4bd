"""The metrics of the live book, as the caller may see it: the glue between the store and the engine.

Nothing is cached: each call loads the caller's ledger from the store and computes, so a
number is never older than the request. Money is converted to the reporting currency
(``NUDGE_REPORTING_CURRENCY``) at ``NUDGE_FX_RATES``, read from the app's settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.auth.service import Principal, visible_accounts
from agent.ledger.store import load_ledger
from agent.metrics.forecast import Forecast, cash_forecast
from agent.metrics.history import Trend, snapshot_group, stored_first_trend
from agent.metrics.rates import Rates
from agent.metrics.schemas import Metrics
from agent.metrics.service import GroupBy, compute_breakdown, compute_metrics
from agent.profile.tables import Account
from agent.settings import Settings
from ledger.frame import Ledger


def visible_ledger(*, session: Session, principal: Principal) -> Ledger:
    """The invoices and payments of the accounts ``principal`` may see."""
    if principal.sees_whole_book:
        return load_ledger(session=session)
    ids = session.scalars(select(Account.id).where(visible_accounts(principal))).all()
    return load_ledger(session=session, account_ids=ids)


def metrics_report(
    *, ledger: Ledger, settings: Settings, as_of: date, period_days: int, by: GroupBy | None
) -> dict[str, Any]:
    """The ``nudge dso --json`` object: metric names at top level, ``by`` and ``groups`` when grouped."""
    rates = Rates.from_settings(settings)
    if by is None:
        return compute_metrics(ledger, as_of, period_days, rates).to_dict()
    breakdown = compute_breakdown(ledger, as_of, period_days, by, rates)
    return {**breakdown.total.to_dict(), "by": by, "groups": breakdown.to_dict()}


def book_trend(
    *, session: Session, principal: Principal, ledger: Ledger, settings: Settings, months: int
) -> Trend:
    """The caller's month-by-month trend up to today, stored month-end snapshots first."""
    return stored_first_trend(
        session=session,
        ledger=ledger,
        rates=Rates.from_settings(settings),
        end=settings.today(),
        months=months,
        group=snapshot_group(principal),
    )


def book_forecast(
    *, ledger: Ledger, settings: Settings, weeks: int, expected_days_late: pd.Series | None = None
) -> Forecast:
    """Expected collections per week after today.

    ``expected_days_late`` (the risk model's, by invoice id: ``agent.risk.service.
    expected_days_late_series``) replaces the customer's average delay where given.
    """
    if expected_days_late is not None:
        expected_days_late = expected_days_late[expected_days_late.index.isin(ledger.invoices["invoice_id"])]
    return cash_forecast(
        ledger, settings.today(), weeks, Rates.from_settings(settings), expected_days_late=expected_days_late
    )


@dataclass(frozen=True)
class AccountMetrics:
    """One account's own receivables metrics (in the reporting currency) and trend."""

    account: Account
    metrics: Metrics
    trend: Trend

    @property
    def gap_days(self) -> float | None:
        """DSO minus the sales-weighted terms: days beyond what the account was given."""
        if self.metrics.dso is None or self.metrics.weighted_terms_days is None:
            return None
        return self.metrics.dso - self.metrics.weighted_terms_days

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "account_id": self.account.id,
            "name": self.account.name,
            "terms": {
                "terms_label": self.account.terms_label,
                "default_terms_days": self.account.default_terms_days,
                "weighted_terms_days": self.metrics.weighted_terms_days,
                "gap_days": None if self.gap_days is None else round(self.gap_days, 6),
            },
            "metrics": self.metrics.to_dict(),
            "trend": self.trend.to_dict(),
        }


def account_metrics(
    *,
    session: Session,
    principal: Principal,
    settings: Settings,
    account_id: int,
    period_days: int = 30,
    months: int = 12,
) -> AccountMetrics | None:
    """The account's DSO, terms, aging and trend; None when absent or not visible."""
    account = session.scalar(select(Account).where(Account.id == account_id, visible_accounts(principal)))
    if account is None:
        return None
    ledger = load_ledger(session=session, account_ids=[account_id])
    rates = Rates.from_settings(settings)
    return AccountMetrics(
        account=account,
        metrics=compute_metrics(ledger, settings.today(), period_days, rates),
        trend=stored_first_trend(
            session=session,
            ledger=ledger,
            rates=rates,
            end=settings.today(),
            months=months,
            group=("customer", str(account_id)),
        ),
    )
