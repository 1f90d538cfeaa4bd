"""`nudge demo` end to end: a real process builds the book, serves it, and the browser shows it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from agent.accounts import service
from agent.auth.service import principal_for
from agent.db.database import Database
from agent.profile.tables import Account, Person
from agent.settings import Settings
from agent.web.format import money
from connectors.core.emulator import free_port
from tests.browser import chromium

pytestmark = pytest.mark.slow
DEMO_ACCOUNTS = 60


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str], Path]]:
    """A running ``nudge demo`` process: its address, sign-in tokens and home folder."""
    home = tmp_path_factory.mktemp("demo-home")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUDGE_")}
    env.update({"NUDGE_HOME": str(home), "NUDGE_PORT": str(port)})
    process = subprocess.Popen(
        [sys.executable, "-m", "agent.cli.main", "demo", "--accounts", str(DEMO_ACCOUNTS)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    tokens: dict[str, str] = {}
    deadline = time.monotonic() + 120
    try:
        for line in process.stdout:
            if match := re.match(r"Sign in as (.+): (http://\S+)/login\?token=(\S+)", line):
                tokens[match[1]] = match[3]
            if "Application startup complete" in line or "Uvicorn running" in line:
                break
            assert time.monotonic() < deadline, "nudge demo did not start in time"
        yield f"http://127.0.0.1:{port}", tokens, home
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_demo_serves_the_book_through_the_api(demo: tuple[str, dict[str, str], Path]) -> None:
    base_url, tokens, home = demo
    assert set(tokens) >= {"admin"}
    response = httpx.get(f"{base_url}/api/accounts", headers={"Authorization": f"Bearer {tokens['admin']}"})
    assert response.status_code == 200
    accounts = response.json()
    assert len(accounts) == DEMO_ACCOUNTS
    assert sum(1 for a in accounts if Decimal(a["overdue_ar"]) > 0) >= DEMO_ACCOUNTS // 10
    assert all(a["owner"] is not None for a in accounts)
    assert (home / "demo-tokens.txt").stat().st_mode & 0o077 == 0


def test_demo_mails_the_due_digests_to_its_local_smtp_server_and_lists_them(
    demo: tuple[str, dict[str, str], Path],
) -> None:
    base_url, tokens, home = demo
    answer = httpx.get(
        f"{base_url}/api/deliveries",
        params={"channel": "email", "state": "sent", "limit": 500},
        headers={"Authorization": f"Bearer {tokens['admin']}"},
    )
    sent = answer.json()["items"]
    assert sent, "the demo's first cycles deliver each person's due digest while it builds"
    assert all(item["subject"] and item["text"] and item["html"] for item in sent)
    # Read after the API: whatever it lists as sent, the local server has already received.
    mails = (home / "demo-mail").glob("*.eml")
    received = {message_from_bytes(path.read_bytes(), policy=default)["Message-ID"] for path in mails}
    assert {item["vendor_ref"] for item in sent} <= received


def test_demo_page_in_chromium_matches_the_database(
    demo: tuple[str, dict[str, str], Path], tmp_path: Path
) -> None:
    base_url, tokens, home = demo
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(f"{base_url}/login?token={tokens['admin']}")
        page.wait_for_selector("table#accounts tbody tr")
        page.screenshot(path=str(tmp_path / "demo.png"), full_page=True)
        rows = page.locator("table#accounts tbody tr").all()
        shown = {
            row.locator("td").first.locator("a").inner_text(): row.locator("td.open-ar").inner_text()
            for row in rows
        }
    assert (tmp_path / "demo.png").stat().st_size > 50_000
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'demo.db'}")
    database = Database.open(settings, migrate=False)
    with database.sessions() as session:
        viewer = session.scalars(select(Person).where(Person.role == "admin")).one()
        as_of = settings.today()  # open AR does not depend on the date; the demo used today too
        expected = service.list_accounts(
            session=session, principal=principal_for(session=session, person=viewer), as_of=as_of
        )
        assert session.scalar(select(func.count(Account.id))) == DEMO_ACCOUNTS
    database.close()
    assert shown == {a.name: money(a.open_ar, a.currency) for a in expected}


def test_demo_dashboard_trend_reads_a_year_of_stored_month_ends(
    demo: tuple[str, dict[str, str], Path],
) -> None:
    base_url, tokens, _ = demo
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    months = httpx.get(f"{base_url}/api/metrics/trend", headers=headers).json()["months"]
    assert len(months) == 12
    assert all(month["source"] == "snapshot" for month in months[:-1])  # the current month is to date
    page = httpx.get(f"{base_url}/dashboard", cookies={"nudge_session": tokens["admin"]})
    assert page.status_code == 200
    assert page.text.count('class="point"') == 4 * 12  # DSO, best, delinquent and rolling, every month
