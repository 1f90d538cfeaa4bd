"""``nudge person deactivate EMAIL | reactivate EMAIL``: who may sign in, decided in Nudge.

A person deactivated here cannot use any token or session, whatever the CRM says: a sync
updates ``active`` (the CRM's view) but never this decision.
"""

from __future__ import annotations

import argparse

from agent.cli.common import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``person`` sub-command."""
    parser = subparsers.add_parser("person", help="deactivate or reactivate a person in Nudge")
    actions = parser.add_subparsers(dest="action", required=True)
    for action, summary in (
        ("deactivate", "no token or session of theirs works, whatever a CRM sync says"),
        ("reactivate", "undo a deactivation (the CRM's own active flag still applies)"),
    ):
        sub = actions.add_parser(action, help=summary)
        sub.add_argument("email", help="the person's email")
        sub.set_defaults(handler=set_deactivated, deactivate=action == "deactivate")


def set_deactivated(args: argparse.Namespace) -> int:
    """Deactivate or reactivate ``args.email``."""
    from sqlalchemy import select

    from agent.db.database import Database
    from agent.db.types import utcnow
    from agent.profile.tables import Person
    from agent.settings import get_settings

    database = Database.open(get_settings())
    try:
        with database.transaction() as session:
            email = args.email.strip().lower()
            person = session.scalar(select(Person).where(Person.email == email))
            if person is None:
                raise UserError(f"no person with email {email}")
            if args.deactivate:
                person.deactivated_at = person.deactivated_at or utcnow()
            else:
                person.deactivated_at = None
    finally:
        database.close()
    print(f"{email} {'deactivated' if args.deactivate else 'reactivated'}")
    return 0
