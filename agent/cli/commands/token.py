"""``nudge token create EMAIL``: mint an API token for a person."""

from __future__ import annotations

import argparse

from agent.cli.common import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``token`` sub-command."""
    parser = subparsers.add_parser("token", help="manage API tokens")
    actions = parser.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="mint a token for a person (printed once)")
    create.add_argument("email", help="the person's email")
    create.add_argument(
        "--role",
        choices=["admin", "finance", "ops", "manager", "csm", "account_manager"],
        help="create the person with this role if they do not exist",
    )
    create.add_argument("--name", default="cli", help="a label for the token")
    create.set_defaults(handler=create_token)


def create_token(args: argparse.Namespace) -> int:
    """Print a new token for ``args.email``."""
    from sqlalchemy import select

    from agent.auth import service
    from agent.db.database import Database
    from agent.profile.tables import Person
    from agent.settings import get_settings

    database = Database.open(get_settings())
    try:
        with database.transaction() as session:
            email = args.email.strip().lower()
            person = session.scalar(select(Person).where(Person.email == email))
            if person is None:
                if args.role is None:
                    raise UserError(f"no person with email {email}; pass --role to create one")
                person = Person(email=email, name=email.split("@", 1)[0].title(), role=args.role)
                session.add(person)
            token = service.create_token(session=session, person=person, name=args.name)
    finally:
        database.close()
    print(token)
    return 0
