"""The application's database handle: one engine and session factory per process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from agent.db.engine import make_engine, make_session_factory, transaction
from agent.db.migrate import upgrade_to_head
from agent.settings import Settings


@dataclass
class Database:
    """Engine plus session factory; ``open`` migrates the schema to the newest revision."""

    engine: Engine
    sessions: sessionmaker[Session]

    @classmethod
    def open(cls, settings: Settings, *, migrate: bool = True) -> Database:
        """Connect to the configured database and upgrade it."""
        settings.home.mkdir(parents=True, exist_ok=True)
        engine = make_engine(settings.resolved_database_url)
        if migrate:
            upgrade_to_head(engine)
        return cls(engine=engine, sessions=make_session_factory(engine))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session committed at the end, rolled back on error."""
        with transaction(self.sessions) as session:
            yield session

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()
