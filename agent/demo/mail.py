"""The demo's mailbox: a local SMTP sink that e-mail goes to, so a newcomer sees what was sent.

Every message is also written to ``NUDGE_HOME/demo-mail/*.eml`` (open them in any mail
client) and announced on the console; the Deliveries page shows each one as rendered.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from connectors.email.emulator import ReceivedMail, SmtpSink

DEMO_SENDER = "Nudge demo <nudge@nudge-demo.example>"
SPOOL = "demo-mail"


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
