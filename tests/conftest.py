"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, fresh for each test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from agent.db.database import Database
from agent.db.engine import make_engine, make_session_factory
from agent.db.migrate import upgrade_to_head
from agent.schema import metadata
from agent.settings import Settings, get_settings

BOOK_DATE = date(2026, 11, 20)
POSTGRES_ADMIN_URL = os.environ.get(
    "NUDGE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
IBM_SAMPLE = SHARED_DATA / "ibm-accounts-receivable.csv"


@pytest.fixture(scope="session")
def ibm_csv() -> Path:
    """The public IBM accounts-receivable sample beside the repository (skipped when absent;
    ``.ci/run`` refuses to run without it)."""
    if not IBM_SAMPLE.is_file():
        pytest.skip(f"the public IBM sample is not at {IBM_SAMPLE}: put ibm-accounts-receivable.csv there")
    return IBM_SAMPLE


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL database for this test run, migrated to head."""
    name = f"nudge_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database on each backend."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'nudge.db'}")
        upgrade_to_head(engine)
    else:
        engine = make_engine(request.getfixturevalue("postgres_url"))
        _truncate_all(engine)
    database = Database(engine=engine, sessions=make_session_factory(engine))
    yield database
    database.close()


def _truncate_all(engine: object) -> None:
    names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    with engine.begin() as connection:  # type: ignore[attr-defined]
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    """A session on the test database (tests commit when they need to)."""
    with database.sessions() as session:
        yield session


@pytest.fixture
def settings(tmp_path: Path, database: Database) -> Settings:
    """Settings pointing at the test database, with a pinned book date."""
    return Settings(
        home=tmp_path / "home",
        database_url=database.engine.url.render_as_string(hide_password=False),
        as_of=BOOK_DATE,
        environment="test",
    )


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Keep tests away from the developer's NUDGE_* environment and .env file."""
    for name in list(os.environ):
        if name.startswith("NUDGE_") and name != "NUDGE_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NUDGE_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
