"""What the dashboard shows: the caller's book metrics, trend, forecast and who needs attention."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.auth.service import Principal
from agent.metrics import live
from agent.metrics.forecast import Forecast
from agent.metrics.history import Trend
from agent.metrics.rates import Rates
from agent.metrics.schemas import Metrics
from agent.metrics.service import UNASSIGNED, compute_breakdown, compute_metrics, terms_gap
from agent.profile.tables import Person
from agent.risk.service import expected_days_late_series
from agent.settings import Settings
from ledger.frame import Ledger

ATTENTION_ROWS = 15


@dataclass(frozen=True)
class GroupRow:
    """One CSM's or one customer's line: balances in the reporting currency, days, ratios."""

    key: str
    name: str
    link: str | None
    accounts: int
    ar: float
    overdue: float
    dso: float | None
    best_possible_dso: float | None
    delinquent_dso: float | None
    cei: float | None
    terms: float | None
    gap_days: float | None
    owner: str = ""


@dataclass(frozen=True)
class Dashboard:
    """Everything on the page, for one caller, as of the book date."""

    as_of: date
    period_days: int
    rates: Rates
    metrics: Metrics
    trend: Trend
    forecast: Forecast
    owners: list[GroupRow]
    attention: list[GroupRow]


def _value(row: pd.Series, name: str) -> float | None:
    value = row.get(name)
    return None if value is None or pd.isna(value) else float(value)


def _row(
    key: str, row: pd.Series, *, name: str, link: str | None, accounts: int, owner: str = ""
) -> GroupRow:
    dso, terms = _value(row, "dso"), _value(row, "weighted_terms_days")
    return GroupRow(
        key=key,
        name=name,
        link=link,
        accounts=accounts,
        ar=float(row["ar"]),
        overdue=float(row["ar"] - row["aging_current"]),
        dso=dso,
        best_possible_dso=_value(row, "best_possible_dso"),
        delinquent_dso=_value(row, "delinquent_dso"),
        cei=_value(row, "cei"),
        terms=terms,
        gap_days=None if dso is None or terms is None else dso - terms,
        owner=owner,
    )


def owner_rows(
    *, session: Session, ledger: Ledger, rates: Rates, as_of: date, period_days: int
) -> list[GroupRow]:
    """One line per CSM (account owner), largest open balance first; links to their accounts."""
    frame = compute_breakdown(ledger, as_of, period_days, "owner", rates).frame()
    owners = ledger.invoices.get("owner_email", pd.Series(None, index=ledger.invoices.index, dtype=object))
    counts = ledger.invoices.groupby(owners.fillna(UNASSIGNED))["customer_id"].nunique()
    people = people_by_email(session=session, emails=frame.index)
    rows = []
    for email, row in frame.sort_values("ar", ascending=False).iterrows():
        if not counts.get(email, 0):  # an empty book still has an (empty) unassigned group
            continue
        person = people.get(str(email))
        rows.append(
            _row(
                str(email),
                row,
                name=person.name if person else "Unassigned",
                link=f"/?owner_id={person.id}" if person else None,
                accounts=int(counts.get(email, 0)),
            )
        )
    return rows


def people_by_email(*, session: Session, emails: Iterable[object]) -> dict[str, Person]:
    """The people with these emails, by email."""
    wanted = [str(email) for email in emails]
    return {p.email: p for p in session.scalars(select(Person).where(Person.email.in_(wanted)))}


def attention_rows(
    *, session: Session, ledger: Ledger, rates: Rates, as_of: date, period_days: int
) -> list[GroupRow]:
    """The customers furthest past their terms (DSO minus sales-weighted terms), worst first."""
    breakdown = compute_breakdown(ledger, as_of, period_days, "customer", rates)
    frame = breakdown.frame().loc[terms_gap(breakdown).head(ATTENTION_ROWS).index]
    customers = ledger.invoices.drop_duplicates("customer_id").set_index("customer_id")
    owners = customers.get("owner_email", pd.Series(None, index=customers.index, dtype=object))
    people = people_by_email(session=session, emails=owners.dropna().unique())
    rows = []
    for key, row in frame.iterrows():
        owner = people.get(str(owners.get(key)))
        name = str(customers.at[key, "customer_name"])
        rows.append(
            _row(
                str(key),
                row,
                name=name,
                link=f"/accounts/{key}",
                accounts=1,
                owner=owner.name if owner else "",
            )
        )
    return rows


def build_dashboard(
    *, session: Session, principal: Principal, settings: Settings, period_days: int = 30
) -> Dashboard:
    """The dashboard of what ``principal`` may see (one ledger load, computed fresh)."""
    ledger = live.visible_ledger(session=session, principal=principal)
    rates = Rates.from_settings(settings)
    as_of = settings.today()
    return Dashboard(
        as_of=as_of,
        period_days=period_days,
        rates=rates,
        metrics=compute_metrics(ledger, as_of, period_days, rates),
        trend=live.book_trend(
            session=session, principal=principal, ledger=ledger, settings=settings, months=12
        ),
        forecast=live.book_forecast(
            ledger=ledger,
            settings=settings,
            weeks=13,
            expected_days_late=expected_days_late_series(session=session),
        ),
        owners=owner_rows(session=session, ledger=ledger, rates=rates, as_of=as_of, period_days=period_days),
        attention=attention_rows(
            session=session, ledger=ledger, rates=rates, as_of=as_of, period_days=period_days
        ),
    )
