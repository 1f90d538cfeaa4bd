"""Registry entry for e-mail: a notifier for the ``email`` channel; its emulator is a local SMTP server."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from connectors.core.protocols import Notifier
from connectors.core.registry import ConnectorSpec, EmulatorSpec
from connectors.email.settings import EmailSettings

EXAMPLE = """\
# the relay: smtp:// with STARTTLS (port 587 by default) or smtps:// (implicit TLS, 465)
export NUDGE_SMTP_URL='smtp://nudge:app-password@smtp.example.com:587?starttls=true'
export NUDGE_EMAIL_FROM='Nudge <nudge@example.com>'
export NUDGE_EMAIL_RATE_LIMIT=5             # optional: messages per second the relay allows

from connectors.core.registry import get
notifier = get("email").build_notifier()
rendered = notifier.render(message)         # an OutgoingMessage from the delivery pipeline
message_id = notifier.send(message, rendered)
"""
EMULATOR_SENDER = "Nudge <nudge@localhost>"


def ready(settings: EmailSettings) -> bool:
    """E-mail is configured once both the relay and the sender are set."""
    return settings.configured


def build_notifier(settings: EmailSettings) -> Notifier:
    """The SMTP notifier (a bad ``NUDGE_SMTP_URL`` raises, naming the variable)."""
    from connectors.email.notifier import EmailNotifier

    return EmailNotifier(settings)


def create_emulator() -> Any:
    """A local SMTP server that keeps what it receives (it has nothing to seed)."""
    from connectors.email.emulator import SmtpSink

    return SmtpSink()


@contextlib.contextmanager
def serve_emulator(sink: Any) -> Iterator[dict[str, str]]:
    """Listen on a free loopback port; the variables pointing Nudge at it."""
    with sink:
        yield {"NUDGE_SMTP_URL": sink.url, "NUDGE_EMAIL_FROM": EMULATOR_SENDER}


CONNECTOR = ConnectorSpec(
    name="email",
    settings=EmailSettings,
    example=EXAMPLE,
    configured=ready,
    notifier=build_notifier,
    emulator=EmulatorSpec(create=create_emulator, serve=serve_emulator),
)
