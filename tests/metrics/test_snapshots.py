"""Daily snapshots survive in the database as they were computed, even after invoices change."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from types import ModuleType
from typing import cast

import pytest
from sqlalchemy import Table, create_engine
from sqlalchemy.orm import Session

from agent.db.base import Base
from agent.metrics.rates import Rates
from agent.metrics.trend import snapshot_rows
from tests.metrics.factories import day, team_book

USD = Rates("USD")


@pytest.fixture
def snapshots() -> Iterator[ModuleType]:
    """The snapshot module, its table kept out of the shared metadata until it is migrated.

    Until ``metric_snapshots`` has a migration, leaving it in ``Base.metadata`` would make
    other tests (schema comparison, truncation) see a table the database does not have.
    """
    known = "metric_snapshots" in Base.metadata.tables
    from agent.metrics import snapshots as module

    yield module
    if not known and "metric_snapshots" in Base.metadata.tables:
        Base.metadata.remove(Base.metadata.tables["metric_snapshots"])


@pytest.fixture
def session(snapshots: ModuleType) -> Iterator[Session]:
    from agent.metrics.tables import MetricSnapshot

    engine = create_engine("sqlite://")
    cast(Table, MetricSnapshot.__table__).create(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


def test_store_then_load_the_overall_trend(snapshots: ModuleType, session: Session) -> None:
    march = snapshot_rows(team_book(), day("2024-03-31"), 31, rates=USD)
    february = snapshot_rows(team_book(), day("2024-02-29"), 31, rates=USD)
    assert snapshots.store_snapshot(session=session, rows=march) == len(march)
    snapshots.store_snapshot(session=session, rows=february)
    session.commit()
    trend = snapshots.load_snapshots(session=session, period_days=31)
    assert list(trend["as_of"]) == [day("2024-02-29"), day("2024-03-31")]
    assert trend["ar"].iloc[1] == Decimal("6350.00")  # 500 + 2500 + 3000 - 250 + 600
    assert trend["dso"].iloc[1] == pytest.approx(march.loc[0, "dso"])


def test_storing_a_day_again_replaces_it(snapshots: ModuleType, session: Session) -> None:
    rows = snapshot_rows(team_book(), day("2024-03-31"), 31, rates=USD)
    snapshots.store_snapshot(session=session, rows=rows)
    snapshots.store_snapshot(session=session, rows=rows)
    session.commit()
    bolt = snapshots.load_snapshots(session=session, dimension="customer", group_key="BOLT", period_days=31)
    assert len(bolt) == 1
    assert bolt["aging_current"].iloc[0] == Decimal("2750.00")


def test_undefined_metrics_are_stored_as_null_with_their_reason(
    snapshots: ModuleType, session: Session
) -> None:
    rows = snapshot_rows(team_book(), day("2024-03-31"), 31, rates=USD)
    snapshots.store_snapshot(session=session, rows=rows)
    terms_0 = snapshots.load_snapshots(session=session, dimension="terms", group_key="0", period_days=31)
    assert terms_0["percent_current"].iloc[0] is None
    assert "negative" in terms_0["undefined"].iloc[0]["percent_current"]
