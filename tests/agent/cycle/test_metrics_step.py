"""The cycle's metrics step: the day's snapshot stored, replaced on a re-run, a missing rate reported."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent.cycle.housekeeping import close_settled_step
from agent.cycle.metrics_step import metrics_step
from agent.cycle.runner import run_cycle
from agent.db.database import Database
from agent.metrics.snapshots import load_snapshots
from agent.metrics.tables import MetricSnapshot
from agent.settings import Settings
from tests.conftest import BOOK_DATE
from tests.factories import make_account, make_invoice, make_person


def small_book(session: Session) -> None:
    """Two accounts of one owner: an overdue invoice, a current one, one paid in full but still open."""
    owner = make_person(session, "maya.chen@nudge.example")
    northwind = make_account(session, "Northwind Logistics", owner, segment="mid-market")
    make_invoice(session, northwind, "N-1", "10000.00", issued=date(2026, 9, 1))
    make_invoice(session, northwind, "N-2", "2500.00", issued=date(2026, 11, 1))
    contoso = make_account(session, "Contoso", owner, segment="enterprise")
    make_invoice(session, contoso, "C-1", "4000.00", issued=date(2026, 10, 1), paid="4000.00")
    session.commit()


def test_the_metrics_step_stores_todays_snapshot_after_settling(
    database: Database, settings: Settings, session: Session
) -> None:
    small_book(session)
    steps = [close_settled_step(settings), metrics_step(settings)]

    first = run_cycle(database=database, settings=settings, steps=steps)
    again = run_cycle(database=database, settings=settings, steps=steps)

    assert [(s.name, s.status) for s in first.steps] == [("close_settled", "ok"), ("metrics", "ok")]
    assert first.steps[1].counts["invoices"] == 3
    assert again.steps[1].counts == first.steps[1].counts
    overall = load_snapshots(session=session)
    assert overall["as_of"].tolist() == [BOOK_DATE]
    assert Decimal(overall["ar"].iloc[0]) == Decimal("12500.00")  # C-1 was settled first
    assert Decimal(overall["aging_31_60"].iloc[0]) == Decimal("10000.00")  # N-1: due Oct 1, 50 days late
    stored = session.scalar(select(func.count()).select_from(MetricSnapshot))
    assert stored == first.steps[1].counts["snapshot_rows"]  # a re-run replaced the day's rows


def test_a_currency_without_a_rate_fails_the_step_with_its_name(
    database: Database, settings: Settings, session: Session
) -> None:
    small_book(session)
    make_invoice(
        session,
        make_account(session, "Lyon SA", currency="EUR"),
        "L-1",
        "900.00",
        issued=date(2026, 11, 2),
        currency="EUR",
    )
    session.commit()

    report = run_cycle(
        database=database, settings=settings, steps=[close_settled_step(settings), metrics_step(settings)]
    )

    assert [(s.name, s.status) for s in report.steps] == [("close_settled", "ok"), ("metrics", "failed")]
    assert report.steps[1].error is not None
    assert "no exchange rate from EUR to USD" in report.steps[1].error
    assert report.steps[0].counts["closed"] == 1  # what close_settled committed stays
    with_rate = settings.model_copy(update={"fx_rates": {"EUR": 1.08}})
    assert run_cycle(database=database, settings=with_rate, steps=[metrics_step(with_rate)]).error is None


def test_on_a_months_last_day_the_cycle_stores_the_trends_periods(
    database: Database, settings: Settings, session: Session
) -> None:
    small_book(session)
    month_end = settings.model_copy(update={"as_of": date(2026, 10, 31)})
    run_cycle(database=database, settings=month_end, steps=[metrics_step(month_end)])
    periods = session.scalars(
        select(MetricSnapshot.period_days).where(MetricSnapshot.dimension == "all").order_by("period_days")
    ).all()
    assert periods == [30, 31, 92]  # 30 days, October, August to October
