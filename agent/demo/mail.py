"""The demo's mailbox: a local SMTP sink that e-mail goes to, so a newcomer sees what was sent.

Every message is also written to ``NUDGE_HOME/demo-mail/*.eml`` (open them in any mail
client) and announced on the console; the Deliveries page shows each one as rendered.

Digests wait for each person's morning (``NUDGE_DIGEST_HOUR`` in their time zone), so a
demo started in the afternoon would show no mail for hours. Instead the demo runs its
first two alert cycles as of 23 and 22 hours ago (routing batches a new group's alerts
for one cycle before telling anyone), as if Nudge had been running since then: each
person's latest morning has come, their digest is due and goes out while the demo builds
(anyone inside their quiet hours right now gets it when those end). Not a full day ago,
so the served demo's first cycle, a moment later, is still inside the one-day repeat
interval and does not send the same alerts again.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

from agent.alerts.evaluate import evaluate_alerts
from agent.db.database import Database
from agent.db.types import utcnow
from agent.delivery.run import deliver_due
from agent.settings import Settings
from connectors.email.emulator import ReceivedMail, SmtpSink

DEMO_SENDER = "Nudge demo <nudge@nudge-demo.example>"
SPOOL = "demo-mail"
FIRST_CYCLE_LEAD = timedelta(hours=23)
CYCLE_GAP = timedelta(hours=1)


def start_demo_mailbox(*, home: Path, resources: ExitStack, log: Callable[[str], None]) -> SmtpSink:
    """Start the sink (stopped with ``resources``) and point ``NUDGE_SMTP_URL`` at it."""
    spool = home / SPOOL
    shutil.rmtree(spool, ignore_errors=True)

    def announce(mail: ReceivedMail) -> None:
        log(f"E-mail to {', '.join(mail.recipients)}: {mail.message['Subject']}")

    sink = resources.enter_context(SmtpSink(spool=spool, announce=announce))
    os.environ.update({"NUDGE_SMTP_URL": sink.url, "NUDGE_EMAIL_FROM": DEMO_SENDER})
    log(f"Local SMTP server on 127.0.0.1:{sink.port} receives the demo's e-mail (kept in {spool})")
    return sink


def mailbox_summary(sink: SmtpSink) -> str:
    """How many e-mails went to whom."""
    counts = sink.by_recipient()
    if not counts:
        return "No e-mail sent yet"
    people = ", ".join(f"{address} ({n})" for address, n in counts.items())
    return f"Sent {len(sink.received)} e-mails to {len(counts)} people: {people}"


# How the demo's console words each delivery outcome.
_OUTCOME_WORDS = {
    "deferred": "wait for the end of their recipient's quiet hours",
    "undeliverable": "undeliverable (no notifier is configured for this channel)",
}


def deliver_first_morning(
    *, database: Database, settings: Settings, mailbox: SmtpSink, log: Callable[[str], None]
) -> None:
    """Evaluate the alerts :data:`FIRST_CYCLE_LEAD` ago and an hour later, then deliver what is due now."""
    started = utcnow() - FIRST_CYCLE_LEAD
    with database.transaction() as session:
        opened = evaluate_alerts(session=session, settings=settings, now=started).opened
    with database.transaction() as session:
        enqueued = evaluate_alerts(session=session, settings=settings, now=started + CYCLE_GAP).enqueued
    log(
        f"First alert cycles run as of {started:%Y-%m-%d %H:%M} UTC and an hour later, as if Nudge "
        f"had been running since then, so each person's last morning digest is due: {opened} alerts, "
        f"{enqueued} notifications"
    )
    report = deliver_due(database=database, settings=settings)
    log(mailbox_summary(mailbox))
    for channel, counts in sorted(report.channels.items()):
        outcomes = ", ".join(f"{n} {_OUTCOME_WORDS.get(what, what)}" for what, n in counts.items() if n)
        log(f"  {channel}: {outcomes or 'nothing due'}")
    log("Every message, rendered, is on the Deliveries page (/deliveries); Slack's on /slack-preview")
