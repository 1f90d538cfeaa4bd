"""``nudge alerts list|evaluate``: the alerts in the database, and one evaluation of the rules."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from agent.cli.common import emit_json

if TYPE_CHECKING:
    from agent.alerts.service import AlertListing

STATES = ["firing", "acknowledged", "snoozed", "resolved"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``alerts`` sub-command."""
    parser = subparsers.add_parser("alerts", help="list alerts or evaluate the rules once")
    actions = parser.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="alerts in the database, newest change first")
    listing.add_argument("--state", choices=STATES, help="only alerts in this state")
    listing.add_argument("--severity", help="only this severity")
    listing.add_argument("--rule", help="only this rule")
    listing.add_argument("--account-id", type=int, help="only this account")
    listing.add_argument("--limit", type=int, default=200, help="at most this many (default 200)")
    listing.add_argument("--json", action="store_true", help="one JSON object on stdout")
    listing.set_defaults(handler=list_alerts)
    evaluate = actions.add_parser("evaluate", help="evaluate the active rules now and enqueue notifications")
    evaluate.add_argument("--json", action="store_true", help="one JSON object on stdout")
    evaluate.set_defaults(handler=evaluate_once)


def list_alerts(args: argparse.Namespace) -> int:
    """Print the alerts matching the filters."""
    from agent.alerts import service
    from agent.auth.service import Principal
    from agent.db.database import Database
    from agent.settings import get_settings

    # The command line has the database itself: it sees the whole book, like an admin.
    operator = Principal(person_id=0, email="cli", name="command line", role="admin", team_ids=frozenset())
    database = Database.open(get_settings())
    try:
        with database.transaction() as session:
            found = service.list_alerts(
                session=session,
                principal=operator,
                state=args.state,
                severity=args.severity,
                rule=args.rule,
                account_id=args.account_id,
                limit=args.limit,
            )
            rows = [_row(listing) for listing in found]
    finally:
        database.close()
    if args.json:
        emit_json({"alerts": rows, "count": len(rows)})
    else:
        for row in rows:
            where = row["account"] + (f" / {row['invoice']}" if row["invoice"] else "")
            print(f"{row['id']:>6}  {row['state']:<12} {row['severity']:<8} {row['rule']:<24} {where}")
        print(f"{len(rows)} alert(s)")
    return 0


def _row(listing: AlertListing) -> dict[str, Any]:
    alert = listing.alert
    return {
        "id": alert.id,
        "rule": alert.rule,
        "state": alert.state,
        "severity": alert.severity,
        "account_id": alert.account_id,
        "account": listing.account_name,
        "invoice": listing.invoice_number,
        "owner": listing.owner_name,
        "message": alert.message,
        "first_fired_at": alert.first_fired_at.isoformat(),
        "snoozed_until": alert.snoozed_until.date().isoformat() if alert.snoozed_until else None,
    }


def evaluate_once(args: argparse.Namespace) -> int:
    """Run the rules step of the cycle once and print what changed."""
    from agent.alerts.evaluate import evaluate_alerts
    from agent.db.database import Database
    from agent.db.types import utcnow
    from agent.settings import get_settings

    settings = get_settings()
    database = Database.open(settings)
    try:
        with database.transaction() as session:
            counts = evaluate_alerts(session=session, settings=settings, now=utcnow()).as_dict()
    finally:
        database.close()
    if args.json:
        emit_json(counts)
    else:
        print(", ".join(f"{name} {value}" for name, value in counts.items()))
    return 0
