"""Stored month-end snapshots keep the trend as it was known after invoices change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent.app import create_app
from agent.db.database import Database
from agent.metrics.history import backfill_month_ends, periods_on, snapshot_today
from agent.metrics.tables import MetricSnapshot
from agent.profile.tables import Invoice, Payment
from agent.settings import Settings
from tests.factories import make_account, make_invoice, make_person, token_for


@pytest.fixture
def tokens(session: Session) -> dict[str, str]:
    """Maya owns Northwind (one late invoice from September); Ines manages her; ops sees all."""
    ines = make_person(session, "ines.moreau@nudge.example", role="manager")
    maya = make_person(session, "maya.chen@nudge.example", manager=ines)
    ops = make_person(session, "ops@nudge.example", role="ops")
    northwind = make_account(session, "Northwind", maya)
    make_invoice(session, northwind, "N-1", "10000.00", issued=date(2026, 9, 1))
    make_invoice(session, northwind, "N-2", "3000.00", issued=date(2026, 10, 10))
    make_invoice(session, northwind, "N-3", "2000.00", issued=date(2026, 11, 2))
    session.commit()
    return {name: token_for(session, p) for name, p in {"maya": maya, "ines": ines, "ops": ops}.items()}


@pytest.fixture
def client(database: Database, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings=settings, database=database)) as client:
        yield client


def trend(client: TestClient, token: str) -> dict[str, dict[str, Any]]:
    response = client.get("/api/metrics/trend?months=4", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return {point["month"]: point for point in response.json()["months"]}


def pay_late_invoice_backdated(session: Session) -> None:
    """N-1 turns out to have been paid on 2026-09-15 (a payment recorded late)."""
    invoice = session.scalars(select(Invoice).where(Invoice.number == "N-1")).one()
    invoice.amount_paid, invoice.paid_date, invoice.status = Decimal("10000.00"), date(2026, 9, 15), "paid"
    session.add(
        Payment(
            invoice=invoice,
            account=invoice.account,
            source="test",
            external_id="N-1:p",
            amount=Decimal("10000.00"),
            currency="USD",
            paid_on=date(2026, 9, 15),
        )
    )
    session.commit()


def test_past_months_keep_their_stored_values_after_an_invoice_changes(
    client: TestClient, session: Session, settings: Settings, tokens: dict[str, str]
) -> None:
    assert backfill_month_ends(session=session, settings=settings, months=3) > 0
    session.commit()
    before = trend(client, tokens["ops"])
    assert [p["source"] for p in before.values()] == ["snapshot", "snapshot", "snapshot", "live"]
    assert before["2026-10"]["ar"] == 13000.00

    pay_late_invoice_backdated(session)
    after = trend(client, tokens["ops"])
    for month in ("2026-08", "2026-09", "2026-10"):
        assert after[month] == before[month]  # as it was known at the month's end
    assert after["2026-11"]["ar"] == 5000.00  # the current month is live: N-1 is gone
    assert after["2026-11"]["ar"] == before["2026-11"]["ar"] - 10000


def test_without_snapshots_the_change_rewrites_history(
    client: TestClient, session: Session, tokens: dict[str, str]
) -> None:
    before = trend(client, tokens["ops"])
    pay_late_invoice_backdated(session)
    after = trend(client, tokens["ops"])
    assert {p["source"] for p in after.values()} == {"live"}
    assert after["2026-10"]["ar"] == before["2026-10"]["ar"] - 10000


def test_a_csm_reads_their_owner_snapshots_and_a_manager_is_computed_live(
    client: TestClient, session: Session, settings: Settings, tokens: dict[str, str]
) -> None:
    backfill_month_ends(session=session, settings=settings, months=3)
    session.commit()
    pay_late_invoice_backdated(session)
    maya = trend(client, tokens["maya"])
    assert maya["2026-10"]["source"] == "snapshot"
    assert maya["2026-10"]["ar"] == 13000.00
    ines = trend(client, tokens["ines"])
    assert ines["2026-10"]["source"] == "live"
    assert ines["2026-10"]["ar"] == 3000.00


def test_snapshot_today_stores_the_trend_periods_on_a_month_end(
    session: Session, settings: Settings, tokens: dict[str, str]
) -> None:
    assert periods_on(date(2026, 11, 20)) == [30]
    assert periods_on(date(2026, 11, 30)) == [30, 91]  # November has 30 days; Sep-Nov 91
    assert periods_on(date(2026, 10, 31)) == [30, 31, 92]
    stored = snapshot_today(
        session=session, settings=settings.model_copy(update={"as_of": date(2026, 10, 31)})
    )
    session.commit()
    rows = session.execute(
        select(MetricSnapshot.period_days, MetricSnapshot.dimension, func.count())
        .group_by(MetricSnapshot.period_days, MetricSnapshot.dimension)
        .order_by(MetricSnapshot.period_days, MetricSnapshot.dimension)
    ).all()
    # Each period: the book, one customer, one owner, one segment (unassigned), one terms group.
    dimensions = ["all", "customer", "owner", "segment", "terms"]
    assert [tuple(r) for r in rows] == [(p, d, 1) for p in (30, 31, 92) for d in dimensions]
    assert stored == len(rows)


def test_a_later_run_the_same_day_replaces_the_day(
    session: Session, settings: Settings, tokens: dict[str, str]
) -> None:
    first = snapshot_today(session=session, settings=settings)
    pay_late_invoice_backdated(session)
    assert snapshot_today(session=session, settings=settings) == first
    session.commit()
    ar = session.scalars(select(MetricSnapshot.ar).where(MetricSnapshot.dimension == "all")).all()
    assert ar == [Decimal("5000.00")]


def test_an_empty_book_stores_nothing(session: Session, settings: Settings) -> None:
    assert snapshot_today(session=session, settings=settings) == 0


def test_today_is_always_live_even_after_todays_snapshot(
    database: Database, session: Session, settings: Settings, tokens: dict[str, str]
) -> None:
    month_end = settings.model_copy(update={"as_of": date(2026, 10, 31)})
    snapshot_today(session=session, settings=month_end)
    session.commit()
    pay_late_invoice_backdated(session)
    with TestClient(create_app(settings=month_end, database=database)) as client:
        october = trend(client, tokens["ops"])["2026-10"]
    assert october["source"] == "live"
    assert october["ar"] == 3000.00  # the payment recorded after today's snapshot counts
