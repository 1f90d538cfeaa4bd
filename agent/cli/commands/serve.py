"""``nudge serve``: the API and web app on the configured database."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``serve`` sub-command."""
    parser = subparsers.add_parser("serve", help="serve the API and web app")
    parser.add_argument("--host", help="address to bind (default NUDGE_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default NUDGE_PORT or 8000)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Migrate the database, then serve until interrupted."""
    from agent.cli.server import run_server
    from agent.db.database import Database
    from agent.settings import get_settings

    settings = get_settings()
    database = Database.open(settings)
    try:
        run_server(settings=settings, database=database, host=args.host, port=args.port)
    finally:
        database.close()
    return 0
