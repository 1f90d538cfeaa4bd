"""Alembic environment: runs migrations on the connection handed over by ``agent.db.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from agent.schema import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    from agent.db.engine import make_engine
    from agent.settings import get_settings

    with make_engine(get_settings().resolved_database_url).connect() as fresh:
        _run(fresh)
else:
    _run(connection)
