"""The e-mail notifier: renders a message (subject, text, HTML) and hands it to an SMTP relay.

The ``Message-ID`` is derived from the message's ``key``, so a send retried after a crash
carries the same id as the first attempt and a receiving system can collapse the copies.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, parseaddr

from connectors.core.protocols import DeliveryError, OutgoingMessage, Rendered
from connectors.email.pacer import shared_pacer
from connectors.email.render import render_email
from connectors.email.settings import EmailSettings, SmtpUrlError, parse_smtp_url
from connectors.email.smtp import SmtpConnection

# The outbox channel whose messages go out as e-mail (immediate ones and the morning digest).
CHANNELS = ("email",)


def message_id(key: str, sender: str) -> str:
    """``<sha256(key)[:40]@sender's domain>``: the same key always gives the same id."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "nudge.invalid"
    return f"<{hashlib.sha256(key.encode('utf-8')).hexdigest()[:40]}@{domain}>"


class EmailNotifier:
    """Serves the ``email`` channel through one SMTP relay."""

    name: str = "email"
    channels: tuple[str, ...] = CHANNELS

    def __init__(self, settings: EmailSettings) -> None:
        if settings.smtp_url is None or settings.from_address is None:
            raise SmtpUrlError("e-mail is not configured: set NUDGE_SMTP_URL and NUDGE_EMAIL_FROM")
        self.settings = settings
        self.sender = settings.from_address
        target = parse_smtp_url(settings.smtp_url)
        self.connection = SmtpConnection(target, timeout=settings.timeout_seconds, ca_file=settings.ca_file)
        self.pacer = shared_pacer((target.host, target.port), settings.rate_limit)

    def render(self, message: OutgoingMessage) -> Rendered:
        """Subject, plain text and HTML, grouped per account."""
        return render_email(message)

    def send(self, message: OutgoingMessage, rendered: Rendered) -> str:
        """Send ``rendered`` to the recipient and return its ``Message-ID``."""
        address = message.recipient.address
        if "@" not in parseaddr(address)[1]:
            raise DeliveryError(f"{address!r} is not an e-mail address", retryable=False)
        mail = self.compose(message, rendered)
        self.pacer.wait()
        self.connection.send(parseaddr(self.sender)[1], parseaddr(address)[1], mail.as_bytes(policy=SMTP))
        return str(mail["Message-ID"])

    def compose(self, message: OutgoingMessage, rendered: Rendered) -> EmailMessage:
        """The MIME message: multipart/alternative with the text part first, then the HTML."""
        mail = EmailMessage()
        mail["Message-ID"] = message_id(message.key, self.sender)
        mail["Date"] = format_datetime(datetime.now(UTC))
        mail["From"] = self.sender
        mail["To"] = formataddr((message.recipient.name or "", message.recipient.address))
        mail["Subject"] = rendered.subject or "Nudge"
        # RFC 3834: an automatic message; out-of-office replies should not answer it.
        mail["Auto-Submitted"] = "auto-generated"
        mail["X-Auto-Response-Suppress"] = "All"
        mail.set_content(rendered.text)
        if rendered.html:
            mail.add_alternative(rendered.html, subtype="html")
        return mail

    def close(self) -> None:
        """Close the relay connection (the next send opens a new one)."""
        self.connection.close()
