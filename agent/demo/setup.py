"""Build the demo database from scratch through the real path.

The demo book is seeded into local HubSpot, Salesforce and Stripe emulators, and its team
into a local Slack workspace (where the demo's notifications go), which keep running while
the demo serves (webhooks and sync jobs reach them through the
``NUDGE_*`` variables set here); accounts, owners, contacts, deals, invoices and payments
come into Nudge by ``run_sync``. The team's roles, Slack ids and time zones, promises,
disputes and health signals are Nudge's own data and are loaded directly.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from agent.auth.service import create_token
from agent.db.database import Database
from agent.demo.book import DemoBook, build_demo_book
from agent.demo.load import load_team
from agent.demo.mail import deliver_first_morning, start_demo_mailbox
from agent.demo.native import load_native
from agent.demo.vendors import DEMO_CHANNELS, DEMO_VENDORS, slack_members
from agent.metrics.history import backfill_month_ends, snapshot_today
from agent.profile.tables import Account, Invoice, Person
from agent.risk.demo import prepare_demo_risk
from agent.settings import Settings, load_settings
from agent.sync.service import run_sync
from agent.sync.sources import build_source
from connectors.core.registry import RegistryError, get
from connectors.email.emulator import SmtpSink
from connectors.emulators import LocalVendors, run_local_vendors

DEMO_ADMIN = "demo-admin@nudge-demo.example"
# The demo book bills in USD, EUR and GBP; totals are reported in USD at these rates
# unless NUDGE_FX_RATES says otherwise.
DEMO_FX_RATES = {"EUR": 1.08, "GBP": 1.27}
TREND_MONTHS = 12


class DemoError(RuntimeError):
    """The demo could not be built (bad size, a failed sync): ``nudge demo`` prints it as a user error."""


@dataclass
class DemoDatabase:
    """The demo's settings, its open database, sign-in tokens and the running emulators."""

    settings: Settings
    database: Database
    tokens: dict[str, str]
    vendors: LocalVendors | None = None
    resources: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    mailbox: SmtpSink | None = None

    def receive_interactions_at(self, address: str) -> None:
        """Tell the emulators that send people's clicks (Slack) where Nudge listens."""
        for name in DEMO_CHANNELS:
            if self.vendors is not None and name in self.vendors.emulators:
                self.vendors.emulators[name].app_url = address

    def close(self) -> None:
        """Release the database and stop the emulators."""
        self.database.close()
        self.resources.close()


def build_demo_database(
    *, settings: Settings, accounts: int, seed: int, log: Callable[[str], None]
) -> DemoDatabase:
    """Delete and rebuild ``NUDGE_HOME/demo.db``: book -> emulators -> connectors -> profile."""
    path = (settings.home / "demo.db").resolve()
    _remove_database(path)
    started = time.perf_counter()
    try:
        book = build_demo_book(seed=seed, as_of=settings.today(), accounts=accounts)
    except ValueError as exc:
        raise DemoError(str(exc)) from None
    seeding = time.perf_counter()
    seeds = {**DEMO_VENDORS, **DEMO_CHANNELS}
    emulators = {name: seeded_emulator(name, rows(book)) for name, rows in seeds.items()}
    resources = contextlib.ExitStack()
    vendors = resources.enter_context(run_local_vendors(**emulators))
    log(f"Seeded the {_names()} emulators in {time.perf_counter() - seeding:.1f} s")
    os.environ.update(vendors.env())
    mailbox = start_demo_mailbox(home=settings.home, resources=resources, log=log)
    demo_settings = load_settings(
        home=settings.home,
        database_url=f"sqlite:///{path}",
        as_of=settings.today(),
        fx_rates=settings.fx_rates or DEMO_FX_RATES,
    )
    database = Database.open(demo_settings)
    demo = DemoDatabase(demo_settings, database, {}, vendors, resources, mailbox)
    demo.receive_interactions_at(demo_settings.base_url)
    try:
        _fill(demo, book, log)
    except BaseException:
        demo.close()
        raise
    prepare_demo_risk(database=database, settings=demo_settings, log=log)
    deliver_first_morning(database=database, settings=demo_settings, mailbox=mailbox, log=log)
    log(_summary(demo, path, time.perf_counter() - started))
    _write_tokens(settings.home / "demo-tokens.txt", demo.tokens)
    return demo


def seeded_emulator(name: str, rows: dict[str, Any]) -> Any:
    """The connector's emulator (from the registry) holding ``rows``."""
    spec = get(name)
    if spec.emulator is None:
        raise RegistryError(f"the demo needs the {name} connector's emulator, and it declares none")
    emulator = spec.emulator.create()
    emulator.seed(**rows)
    return emulator


def _names() -> str:
    names = list(DEMO_VENDORS)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _fill(demo: DemoDatabase, book: DemoBook, log: Callable[[str], None]) -> None:
    with demo.database.transaction() as session:
        load_team(session=session, book=book)
        # Only the Slack workspace's members are reached in Slack; the others by e-mail.
        members = slack_members(book)["slack_id"].tolist()
        session.execute(update(Person).where(Person.slack_id.not_in(members)).values(slack_id=None))
        log(f"{len(members)} of the team read Nudge in Slack, the others by e-mail")
    for name in DEMO_VENDORS:
        run = run_sync(
            database=demo.database,
            source_name=name,
            source=build_source(name),
            today=demo.settings.today(),
        )
        if run.status != "ok":
            raise DemoError(f"demo sync of {name} failed: {'; '.join(map(str, run.errors))}")
        seconds = ((run.finished_at or run.started_at) - run.started_at).total_seconds()
        log(f"Synced {name}: {run.records_read} records in {run.api_calls} API calls, {seconds:.1f} s")
    with demo.database.transaction() as session:
        load_native(session=session, book=book)
        session.flush()
        # A year of month-end history, so the dashboard's trend reads stored snapshots.
        snapshots = backfill_month_ends(session=session, settings=demo.settings, months=TREND_MONTHS)
        snapshots += snapshot_today(session=session, settings=demo.settings)
        log(f"Stored {snapshots} metric snapshots")
        admin = Person(email=DEMO_ADMIN, name="Demo Admin", role="admin")
        session.add(admin)
        csm = session.scalars(select(Person).where(Person.role == "csm").order_by(Person.name)).first()
        demo.tokens["admin"] = create_token(session=session, person=admin, name="demo")
        if csm is not None:
            demo.tokens[f"CSM {csm.name}"] = create_token(session=session, person=csm, name="demo")


def _summary(demo: DemoDatabase, path: Path, seconds: float) -> str:
    with demo.database.sessions() as session:
        accounts = session.scalar(select(func.count(Account.id)))
        invoices = session.scalar(select(func.count(Invoice.id)))
        people = session.scalar(select(func.count(Person.id)))
    return (
        f"Demo book as of {demo.settings.today()}: {accounts} accounts, {people} people, {invoices} invoices "
        f"from the {_names()} emulators (built in {seconds:.1f} s, {path})"
    )


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
