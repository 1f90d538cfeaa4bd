"""Benchmark: e-mail at the relay's allowed rate, through the delivery pipeline and real SMTP.

    python bench/delivery.py --scale small|full      (tiny is for the test suite)

Full scale: 10,000 firing alerts over 300 accounts owned by 8 people, opening in waves as
successive cycles would see them (8 accounts a wave, one per owner), each wave enqueued by
the real routing step into an SQLite database. The delivery pipeline (``deliver_due``:
batch, lease, mute, dedup, compose with signed links, render, send, record) then drains
wave after wave through the e-mail notifier into a local SMTP server (aiosmtpd) in this
process. The pipeline sends one message per person per drain (everything due for a person
goes together), so the waves are what makes ~300 messages of ~33 alerts each.

* ``ratio``: the send rate achieved while mail is due / the rate the notifier is told to
  respect (``NUDGE_EMAIL_RATE_LIMIT``), target >= 0.9. Achieved = the intervals between
  consecutive messages of a wave / the time they span: the pipeline must compose, render,
  sign, send and record each message within the relay's interval. ``overall_rate`` also
  counts the fixed work of each drain between waves (batching, claiming, loading mutes),
  which in production falls in the 15 minutes between cycles;
* the baseline, measured in the same run on a copy of the same database: the same drains
  with no rate limit (``baseline_rate``), how fast the pipeline could go, so the ratio
  measures the pacing against a pipeline that is not the bottleneck;
* ``duplicates`` and ``missing`` (both must be 0): the ``Message-ID``s the server received
  against the messages the database recorded as sent.

Slack part (``"slack"`` in the JSON; ``--part email|slack|all``): the same book enqueued
for ``slack_dm`` (each person has a Slack id), drained through the Slack notifier and the
official WebClient into the Slack emulator, which enforces Slack's per-conversation limit
on ``chat.postMessage`` (scaled up for the small scales; 1 post/s per conversation at full
scale, as Slack allows) and answers 429 with ``Retry-After`` past it. One message per
account group and owner; the pipeline interleaves the owners, so each DM is paced on its
own while the others go on.

* ``ratio``: posts per second achieved (intervals between consecutive posts the emulator
  accepted / the time they span) / the allowed rate (people x posts per second per
  conversation), target >= 0.9;
* ``throttled``: 429s the emulator answered (each one retried at its ``Retry-After``);
  ``unhandled_429`` (must be 0): messages left unsent; ``duplicates`` and ``missing`` (both
  0): the delivery keys in the posted messages' metadata against the messages sent.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from agent.alerts.convert import new_row  # noqa: E402
from agent.alerts.outbox import enqueue  # noqa: E402
from agent.alerts.tables import Alert as AlertRow  # noqa: E402
from agent.db.database import Database  # noqa: E402
from agent.db.engine import make_engine, make_session_factory  # noqa: E402
from agent.db.migrate import upgrade_to_head  # noqa: E402
from agent.delivery.run import deliver_due  # noqa: E402
from agent.delivery.tables import Delivery  # noqa: E402
from agent.links.service import ActionLinks  # noqa: E402
from agent.profile.tables import Account, Invoice, Person  # noqa: E402
from agent.settings import Settings  # noqa: E402
from connectors.core.emulator import run_emulator  # noqa: E402
from connectors.email.emulator import SmtpSink  # noqa: E402
from connectors.email.notifier import EmailNotifier, message_id  # noqa: E402
from connectors.email.settings import EmailSettings  # noqa: E402
from connectors.slack.emulator import SlackEmulator  # noqa: E402
from connectors.slack.notifier import SlackNotifier  # noqa: E402
from connectors.slack.settings import SlackSettings  # noqa: E402
from rules import Alert, State  # noqa: E402
from rules.routing import load_routing  # noqa: E402
from rules.routing.config import RoutingConfig  # noqa: E402

# (alerts, accounts, people, allowed messages per second)
SCALES: dict[str, tuple[int, int, int, float]] = {
    "tiny": (400, 40, 8, 20.0),
    "small": (2_000, 120, 8, 20.0),
    "full": (10_000, 300, 8, 14.0),  # 14/s: Amazon SES's default sending quota
}
# chat.postMessage posts per second allowed in one conversation, by scale (Slack: ~1).
SLACK_PER_CHANNEL: dict[str, float] = {"tiny": 20.0, "small": 2.0, "full": 1.0}
TARGET = 0.9
AS_OF = date(2026, 11, 20)
START = datetime(2026, 11, 20, 9, tzinfo=UTC)
WAVE = timedelta(minutes=15)  # one cycle apart
SENDER = "Nudge bench <nudge@bench.example>"
ROUTING = """\
receivers:
  - name: account-owner
    kind: account_owner
defaults:
  timezone: UTC
  daily_budget: 100000
route:
  receiver: account-owner
  group_by: [account]
  group_wait: 0s
"""


@dataclass(frozen=True)
class Drain:
    """Every wave delivered into one SMTP server."""

    messages: int
    rate: float  # while mail was due: intervals between messages of a wave / their time
    overall_rate: float  # first to last message, the drains' fixed work between waves included
    seconds: float  # all drains together
    duplicates: int
    missing: int


def seed(session: Session, alerts: int, accounts: int, people: int) -> list[list[AlertRow]]:
    """People, accounts with overdue invoices, one firing high alert per invoice; by wave."""
    owners = [
        Person(
            email=f"csm{n}@bench.example",
            name=f"CSM {n}",
            role="csm",
            time_zone="UTC",
            slack_id=slack_id(n),
        )
        for n in range(people)
    ]
    session.add_all(owners)
    book = [
        Account(name=f"Customer {n:04d}", owner=owners[n % people], currency="USD", default_terms_days=30)
        for n in range(accounts)
    ]
    session.add_all(book)
    session.flush()
    waves: list[list[AlertRow]] = [[] for _ in range(-(-accounts // people))]
    for n in range(alerts):
        account = book[n % accounts]
        waves[(n % accounts) // people].append(
            _alert(session, account, n, START + WAVE * ((n % accounts) // people))
        )
    session.flush()
    return waves


def slack_id(n: int) -> str:
    """The Slack member id of the bench's ``n``-th person."""
    return f"U0BENCH{n:04d}"


def _alert(session: Session, account: Account, n: int, opened: datetime) -> AlertRow:
    due = AS_OF - timedelta(days=1 + n % 90)
    invoice = Invoice(
        account_id=account.id,
        source="bench",
        external_id=f"inv-{n}",
        number=f"INV-{n:06d}",
        currency="USD",
        amount=Decimal(1_000 + n % 9_000),
        issue_date=due - timedelta(days=30),
        due_date=due,
        terms_days=30,
    )
    session.add(invoice)
    session.flush()
    key = ("overdue-high-value", str(account.id), str(invoice.id))
    owner = account.owner.email if account.owner else ""
    labels = {"rule": key[0], "severity": "high", "account": key[1], "owner": owner}
    message = f"{account.name}: invoice {invoice.number} is {(AS_OF - due).days} days late"
    row = new_row(Alert(key, State.FIRING, "high", message, opened, opened, labels))
    session.add(row)
    return row


def build(
    path: Path, scale: tuple[int, int, int, float], routing: RoutingConfig, channel: str = "email"
) -> tuple[int, int]:
    """The database at ``path``, every wave enqueued at its cycle's time for ``channel``;
    (notifications, waves)."""
    alerts, accounts, people, _rate = scale
    database = open_database(path)
    queued = 0
    with database.sessions() as session:
        waves = seed(session, alerts, accounts, people)
        for number, rows in enumerate(waves):
            at = START + WAVE * number
            queued += len(
                enqueue(session=session, config=routing, rows=rows, now=at, served={channel}, digest_hour=8)
            )
        session.commit()
    database.close()
    return queued, len(waves)


def open_database(path: Path) -> Database:
    engine = make_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    return Database(engine=engine, sessions=make_session_factory(engine))


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy (SQLite's backup API, WAL included)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def drain(path: Path, home: Path, waves: int, rate: float | None) -> Drain:
    """Deliver wave after wave from ``path`` into a fresh SMTP server at ``rate`` messages/s."""
    database = open_database(path)
    settings = Settings(home=home, database_url=f"sqlite:///{path}", as_of=AS_OF, environment="test")
    bursts: list[list[datetime]] = []
    with SmtpSink() as sink:
        notifier = EmailNotifier(EmailSettings(smtp_url=sink.url, from_address=SENDER, rate_limit=rate))
        links = ActionLinks.from_settings(settings, now=datetime.now(UTC)).links
        started = time.perf_counter()
        for number in range(waves):
            at = START + WAVE * number + timedelta(minutes=1)
            before = len(sink.received)
            deliver_due(
                database=database,
                settings=settings,
                notifiers={"email": notifier},
                links=links,
                clock=lambda at=at: at,
            )
            bursts.append([mail.received_at for mail in sink.received[before:]])
        seconds = time.perf_counter() - started
        notifier.close()
        with database.sessions() as session:
            keys = list(session.scalars(select(Delivery.key).where(Delivery.state == "sent")))
        received = list(sink.received)
    database.close()
    ids = Counter(mail.message_id for mail in received)
    return Drain(
        messages=len(received),
        rate=_rate(bursts),
        overall_rate=_rate([[mail.received_at for mail in received]]),
        seconds=seconds,
        duplicates=sum(n - 1 for n in ids.values()),
        missing=len({message_id(key, SENDER) for key in keys} - set(ids)),
    )


def _rate(bursts: list[list[datetime]]) -> float:
    """Messages per second within bursts: their intervals / the time they span."""
    intervals = sum(max(len(times) - 1, 0) for times in bursts)
    span = sum((times[-1] - times[0]).total_seconds() for times in bursts if len(times) > 1)
    return intervals / span if span > 0 else float("inf")


def slack_part(
    work: Path, scale: tuple[int, int, int, float], routing: RoutingConfig, per_channel: float
) -> dict[str, object]:
    """The book through the Slack notifier into the emulator at its per-conversation limit."""
    alerts, accounts, people, _ = scale
    path = work / "slack.db"
    queued, waves = build(path, scale, routing, channel="slack_dm")
    emulator = SlackEmulator()
    emulator.seed(users=[{"id": slack_id(n), "email": f"csm{n}@bench.example"} for n in range(people)])
    emulator.set_post_limit(1, 1 / per_channel)
    database = open_database(path)
    settings = Settings(home=work / "home", database_url=f"sqlite:///{path}", as_of=AS_OF, environment="test")
    with run_emulator(emulator.app) as url:
        slack = SlackNotifier(
            SlackSettings(
                bot_token=emulator.bot_token, base_url=f"{url}/api/", post_interval_seconds=1 / per_channel
            )
        )
        started = time.perf_counter()
        left = _drain_slack(database, settings, slack, START + WAVE * waves)
        seconds = time.perf_counter() - started
    with database.sessions() as session:
        sent = set(session.scalars(select(Delivery.key).where(Delivery.state == "sent")))
    database.close()
    keys = Counter(
        str(m["metadata"]["event_payload"]["key"])
        for c, t in emulator.posts
        for m in [emulator.message(c, t)]
    )
    times = emulator.posted_at
    rate = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else float("inf")
    allowed = people * per_channel
    return {
        "ratio": round(rate / allowed, 4),
        "target": TARGET,
        "allowed_rate": allowed,
        "per_conversation_rate": per_channel,
        "achieved_rate": round(rate, 3),
        "messages": len(emulator.posts),
        "notifications": queued,
        "alerts": alerts,
        "accounts": accounts,
        "people": people,
        "drain_seconds": round(seconds, 2),
        "throttled": emulator.throttled,
        "unhandled_429": left,
        "duplicates": sum(n - 1 for n in keys.values()),
        "missing": len(sent - set(keys)),
    }


def _drain_slack(database: Database, settings: Settings, slack: SlackNotifier, start: datetime) -> int:
    """Deliver until nothing is left to send, on a clock running from ``start`` (the book's
    working day: no quiet hours); a 429 is retried at its Retry-After. Returns the messages
    still unsent after a generous deadline."""
    served = {"slack_dm": slack, "slack_channel": slack}
    shift = start - datetime.now(UTC)

    def clock() -> datetime:
        return datetime.now(UTC) + shift

    deadline = time.monotonic() + 600
    while True:
        deliver_due(database=database, settings=settings, notifiers=served, clock=clock)
        with database.sessions() as session:
            open_states = Delivery.state.in_(("queued", "retrying"))
            waiting = list(session.scalars(select(Delivery.next_attempt_at).where(open_states)))
        if not waiting or time.monotonic() > deadline:
            return len(waiting)
        time.sleep(max(0.0, min((min(waiting) - clock()).total_seconds(), 5.0)) + 0.01)


def email_part(work: Path, scale: tuple[int, int, int, float], routing: RoutingConfig) -> dict[str, object]:
    """The book e-mailed at the relay's allowed rate, beside an unpaced baseline."""
    alerts, accounts, people, allowed = scale
    started = time.perf_counter()
    queued, waves = build(work / "paced.db", scale, routing)
    copy_database(work / "paced.db", work / "baseline.db")
    print(
        f"{alerts} alerts over {accounts} accounts and {people} people in {waves} waves: "
        f"{queued} notifications enqueued in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    baseline = drain(work / "baseline.db", work / "home", waves, None)
    print(
        f"baseline, no rate limit: {baseline.messages} e-mails at {baseline.rate:.1f}/s "
        f"({baseline.overall_rate:.1f}/s counting the drains' work between waves)",
        flush=True,
    )
    paced = drain(work / "paced.db", work / "home", waves, allowed)
    print(
        f"paced at {allowed:g}/s: {paced.messages} e-mails at {paced.rate:.2f}/s "
        f"({paced.overall_rate:.2f}/s counting the drains' work between waves; {paced.seconds:.1f} s)",
        flush=True,
    )
    return {
        "ratio": round(paced.rate / allowed, 4),
        "target": TARGET,
        "allowed_rate": allowed,
        "achieved_rate": round(paced.rate, 3),
        "overall_rate": round(paced.overall_rate, 3),
        "baseline_rate": round(baseline.rate, 1),
        "messages": paced.messages,
        "alerts": alerts,
        "accounts": accounts,
        "people": people,
        "waves": waves,
        "drain_seconds": round(paced.seconds, 2),
        "duplicates": paced.duplicates + baseline.duplicates,
        "missing": paced.missing + baseline.missing,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--part", choices=("email", "slack", "all"), default="all")
    args = parser.parse_args(argv)
    scale = SCALES[args.scale]
    work = Path(tempfile.mkdtemp(prefix="nudge-bench-delivery-"))
    result: dict[str, object] = {"bench": "delivery"}
    try:
        routing_file = work / "routing.yaml"
        routing_file.write_text(ROUTING, encoding="utf-8")
        routing = load_routing(routing_file)
        if args.part in ("email", "all"):
            result.update(email_part(work, scale, routing))
        if args.part in ("slack", "all"):
            slack = slack_part(work, scale, routing, SLACK_PER_CHANNEL[args.scale])
            print(
                f"slack at {slack['allowed_rate']:g} posts/s ({slack['people']} DMs x "
                f"{slack['per_conversation_rate']:g}/s): {slack['messages']} messages at "
                f"{slack['achieved_rate']}/s, {slack['throttled']} 429s retried",
                flush=True,
            )
            result["slack"] = slack
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result))
    parts = [result, result.get("slack") or {}]
    clean = all(
        part.get(key, 0) == 0
        for part in parts
        if isinstance(part, dict)
        for key in ("duplicates", "missing", "unhandled_429")
    )
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
