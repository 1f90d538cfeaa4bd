"""Build the demo database from scratch: book, profile, sign-in tokens."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from agent.auth.service import create_token
from agent.cli.common import UserError
from agent.db.database import Database
from agent.demo.book import build_demo_book
from agent.demo.load import load_demo_book
from agent.metrics.history import backfill_month_ends, snapshot_today
from agent.profile.tables import Person
from agent.risk.demo import prepare_demo_risk
from agent.settings import Settings

DEMO_ADMIN = "demo-admin@nudge-demo.example"
# The demo book bills in USD, EUR and GBP; totals are reported in USD at these rates
# unless NUDGE_FX_RATES says otherwise.
DEMO_FX_RATES = {"EUR": 1.08, "GBP": 1.27}
TREND_MONTHS = 12


@dataclass
class DemoDatabase:
    """The demo's settings, its open database and sign-in tokens by label."""

    settings: Settings
    database: Database
    tokens: dict[str, str]


def build_demo_database(
    *, settings: Settings, accounts: int, seed: int, log: Callable[[str], None]
) -> DemoDatabase:
    """Delete and rebuild ``NUDGE_HOME/demo.db`` with the seeded demo book."""
    path = (settings.home / "demo.db").resolve()
    _remove_database(path)
    demo_settings = settings.model_copy(
        update={
            "database_url": f"sqlite:///{path}",
            "as_of": settings.today(),
            "fx_rates": settings.fx_rates or DEMO_FX_RATES,
        }
    )
    started = time.perf_counter()
    try:
        book = build_demo_book(seed=seed, as_of=demo_settings.today(), accounts=accounts)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    database = Database.open(demo_settings)
    with database.transaction() as session:
        counts = load_demo_book(session=session, book=book)
        session.flush()
        # A year of month-end history, so the dashboard's trend reads stored snapshots.
        snapshots = backfill_month_ends(session=session, settings=demo_settings, months=TREND_MONTHS)
        snapshots += snapshot_today(session=session, settings=demo_settings)
        admin = Person(email=DEMO_ADMIN, name="Demo Admin", role="admin")
        session.add(admin)
        csm = session.scalars(select(Person).where(Person.role == "csm").order_by(Person.name)).first()
        tokens = {"admin": create_token(session=session, person=admin, name="demo")}
        if csm is not None:
            tokens[f"CSM {csm.name}"] = create_token(session=session, person=csm, name="demo")
    log(
        f"Demo book as of {demo_settings.today()}: {counts.accounts} accounts, {counts.people} people, "
        f"{counts.invoices} invoices, {counts.payments} payments, {counts.signals} CRM signals, "
        f"{counts.promises} promises, {counts.disputes} disputes, {snapshots} metric snapshots "
        f"(built in {time.perf_counter() - started:.1f} s, {path})"
    )
    prepare_demo_risk(database=database, settings=demo_settings, log=log)
    _write_tokens(settings.home / "demo-tokens.txt", tokens)
    return DemoDatabase(settings=demo_settings, database=database, tokens=tokens)


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _write_tokens(path: Path, tokens: dict[str, str]) -> None:
    """Keep the demo's tokens where only this user can read them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        for label, token in tokens.items():
            handle.write(f"{label}\t{token}\n")
