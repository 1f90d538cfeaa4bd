"""The schema: migrations match the tables, money stays exact, SQLite is set up safely."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from agent.db.database import Database
from agent.db.engine import make_engine
from agent.db.migrate import is_up_to_date
from agent.profile.tables import Invoice
from agent.schema import metadata
from tests.factories import make_account, make_invoice


def test_migrations_produce_exactly_the_declared_tables(database: Database) -> None:
    assert is_up_to_date(database.engine)
    with database.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diff == []


def test_money_is_exact_to_the_cent_in_sums(session: Session) -> None:
    account = make_account(session, "Exact Co")
    for index in range(10):
        make_invoice(session, account, f"E-{index}", "0.10", issued=date(2026, 1, 1))
    make_invoice(session, account, "E-big", "9999999999.99", issued=date(2026, 1, 1))
    session.commit()
    total = session.scalar(select(func.sum(Invoice.amount)))
    assert total == Decimal("10000000000.99")
    assert session.scalar(select(Invoice.amount).where(Invoice.number == "E-big")) == Decimal("9999999999.99")


def test_invoice_ids_are_unique_per_source(session: Session) -> None:
    account = make_account(session, "Dup Co")
    make_invoice(session, account, "D-1", "10", issued=date(2026, 1, 1))
    with pytest.raises(IntegrityError):
        make_invoice(session, account, "D-1", "10", issued=date(2026, 1, 1))


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'sub' / 'nudge.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()
