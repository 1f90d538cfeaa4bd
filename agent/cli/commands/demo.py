"""``nudge demo``: build the demo book into its own SQLite database and serve it."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``demo`` sub-command."""
    parser = subparsers.add_parser(
        "demo",
        help="build a realistic demo book and serve Nudge on it",
        description="Rebuild the demo database (NUDGE_HOME/demo.db) from a seeded demo book "
        "and serve the web app and API. Prints the address and sign-in links.",
    )
    parser.add_argument("--accounts", type=int, default=320, help="number of customer accounts")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the book")
    parser.add_argument("--host", help="address to bind (default NUDGE_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default NUDGE_PORT or 8000)")
    parser.add_argument("--no-serve", action="store_true", help="build the database, then exit")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Build, load, then serve until interrupted."""
    from agent.cli.common import UserError
    from agent.cli.server import run_server
    from agent.demo.setup import DemoError, build_demo_database
    from agent.settings import get_settings

    settings = get_settings()
    try:
        demo = build_demo_database(settings=settings, accounts=args.accounts, seed=args.seed, log=print)
    except DemoError as exc:
        raise UserError(str(exc)) from None
    try:
        if not args.no_serve:
            host, port = args.host or demo.settings.host, args.port or demo.settings.port
            demo.receive_interactions_at(f"http://{host}:{port}")
            run_server(
                settings=demo.settings,
                database=demo.database,
                host=args.host,
                port=args.port,
                sign_in_tokens=demo.tokens,
            )
    finally:
        demo.close()
    return 0
