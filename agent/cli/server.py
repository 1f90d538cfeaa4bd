"""Running the web server in the foreground (shared by ``serve`` and ``demo``)."""

from __future__ import annotations

import uvicorn

from agent.app import create_app
from agent.db.database import Database
from agent.logs import configure_logging
from agent.scheduler.scheduler import build_scheduler
from agent.settings import Settings


def run_server(
    *,
    settings: Settings,
    database: Database,
    host: str | None = None,
    port: int | None = None,
    sign_in_tokens: dict[str, str] | None = None,
) -> None:
    """Serve the app with its scheduler; print where, and a sign-in link per labelled token."""
    configure_logging(settings)
    host = host or settings.host
    port = port or settings.port
    address = f"http://{host}:{port}"
    print(f"Nudge is serving {address}  (API docs: {address}/api/docs)", flush=True)
    for label, token in (sign_in_tokens or {}).items():
        print(f"Sign in as {label}: {address}/login?token={token}", flush=True)
    scheduler = build_scheduler(database=database, settings=settings)
    uvicorn.run(
        create_app(settings=settings, database=database, scheduler=scheduler),
        host=host,
        port=port,
        log_level=settings.log_level.lower(),
        log_config=None,
        access_log=False,
    )
