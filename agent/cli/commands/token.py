"""``nudge token create EMAIL | list [EMAIL] | revoke ID``: API tokens of people."""

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
    listing = actions.add_parser("list", help="every token: id, person, label, last use, revoked or live")
    listing.add_argument("email", nargs="?", help="only this person's tokens")
    listing.set_defaults(handler=list_tokens)
    revoke = actions.add_parser("revoke", help="revoke a token for good (its id from 'nudge token list')")
    revoke.add_argument("id", type=int, help="the token's id")
    revoke.set_defaults(handler=revoke_token)


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


def list_tokens(args: argparse.Namespace) -> int:
    """Print one line per token: id, prefix, person, label, created, last used, state."""
    from agent.auth import service
    from agent.db.database import Database
    from agent.settings import get_settings

    database = Database.open(get_settings())
    try:
        with database.sessions() as session:
            for row in service.list_tokens(session=session, email=args.email):
                used = row.last_used_at.strftime("%Y-%m-%d %H:%M") if row.last_used_at else "never"
                state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "live"
                print(
                    f"{row.id}\t{row.prefix}...\t{row.person.email}\t{row.name}\t"
                    f"created {row.created_at:%Y-%m-%d}\tused {used}\t{state}"
                )
    finally:
        database.close()
    return 0


def revoke_token(args: argparse.Namespace) -> int:
    """Revoke the token ``args.id``; it never authenticates again."""
    from agent.auth import service
    from agent.db.database import Database
    from agent.db.types import utcnow
    from agent.settings import get_settings

    database = Database.open(get_settings())
    try:
        with database.transaction() as session:
            try:
                row = service.revoke_token(session=session, token_id=args.id, now=utcnow())
            except service.TokenNotFoundError as exc:
                raise UserError(str(exc)) from None
            print(f"token {row.id} ({row.prefix}..., {row.person.email}) revoked")
    finally:
        database.close()
    return 0
