"""``nudge sync`` killed mid-sync (SIGKILL), then run again: the profile equals Stripe's truth."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from agent.db.database import Database
from agent.db.types import utcnow
from agent.profile.tables import Invoice, Payment
from agent.sync.runs import reap_dead_sync_runs
from agent.sync.service import run_sync
from agent.sync.tables import SyncCursor, SyncRun
from connectors.emulators import run_local_vendors
from tests.agent.sync import factories

pytestmark = pytest.mark.slow
INVOICES = 600


def invoices_stored(database: Database) -> int:
    with database.sessions() as session:
        return session.scalar(select(func.count(Invoice.id))) or 0


def test_killed_sync_resumes_with_no_duplicate_and_no_gap(database: Database) -> None:
    stripe = factories.stripe(invoices=INVOICES)
    with run_local_vendors(stripe=stripe) as vendors:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NUDGE_")} | vendors.env()
        env |= {
            "NUDGE_DATABASE_URL": database.engine.url.render_as_string(hide_password=False),
            # two requests a second: slow enough to kill it between pages
            "NUDGE_STRIPE_RATE_LIMIT_REQUESTS": "2",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "agent.cli.main", "sync", "stripe"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while invoices_stored(database) < 200:
            assert process.poll() is None, "the sync finished before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        assert 0 < invoices_stored(database) < INVOICES
        with database.sessions() as session:
            assert session.scalar(select(SyncCursor.cursor)) is not None
            assert session.scalars(select(SyncRun.status)).all() == ["running"]  # it never finished
            assert reap_dead_sync_runs(session=session, now=utcnow()) == 1  # its process is gone
            session.commit()
        stripe.pay_invoice(f"in_{INVOICES - 1:04d}")  # the newest: already stored as open
        resumed = run_sync(database=database, source_name="stripe", source=vendors.sources()["stripe"])
        caught_up = run_sync(database=database, source_name="stripe", source=vendors.sources()["stripe"])
    assert (resumed.status, caught_up.status) == ("ok", "ok")
    with database.sessions() as session:
        ids = session.scalars(select(Invoice.external_id)).all()
        assert len(ids) == len(set(ids)) == INVOICES
        payments = session.scalars(select(Payment.external_id)).all()
        assert (
            len(payments)
            == len(set(payments))
            == sum(1 for i in stripe.live("invoices").values() if i["amount_paid"])
        )
        assert factories.profile_balances(session) == factories.open_balances(stripe)
        statuses = session.scalars(select(SyncRun.status).order_by(SyncRun.id)).all()
    assert statuses == ["failed", "ok", "ok"]  # the killed run was marked failed once seen dead
