"""A local SMTP server (aiosmtpd) that keeps what it receives: the e-mail connector's emulator.

``nudge demo`` delivers to it so a newcomer sees what was sent, the tests and the benchmark
compare what it received with what Nudge recorded, and ``faults`` make it answer 4xx/5xx.
Optionally STARTTLS (a throwaway certificate) and AUTH, to exercise the client's set-up.

    with SmtpSink(spool=Path("mail")) as sink:
        os.environ["NUDGE_SMTP_URL"] = sink.url
        ...
        sink.wait_for(3)
        [mail.message_id for mail in sink.received]
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from connectors.core.emulator import free_port
from connectors.salesforce.emulator import tls_files


@dataclass(frozen=True)
class ReceivedMail:
    """One message the sink accepted (answered 250)."""

    sender: str
    recipients: tuple[str, ...]
    raw: bytes
    received_at: datetime
    peer: tuple[str, int]  # the client's address and port: one port per SMTP connection

    @property
    def message(self) -> EmailMessage:
        """The parsed MIME message."""
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def message_id(self) -> str:
        """The ``Message-ID`` header."""
        return str(self.message["Message-ID"])


@dataclass
class SinkFaults:
    """Replies the next transactions get instead of 250, in order (``"451 4.3.0 Try later"``)."""

    replies: list[str] = field(default_factory=list)
    unknown_mailboxes: set[str] = field(default_factory=set)  # answered 550 at RCPT
    # Hold the message that arrives once this many were accepted: its DATA gets no reply
    # until ``release`` is set, and is dropped if the client goes away meanwhile (as a
    # server does when the connection dies before it answers). ``holding`` says it waits.
    hold_after: int | None = None
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def reply_next(self, reply: str, count: int = 1) -> None:
        """Answer the next ``count`` messages' DATA with ``reply``."""
        if not re.fullmatch(r"[45]\d\d .+", reply):
            raise ValueError(f"an SMTP error reply looks like '451 4.3.0 Try later' (got {reply!r})")
        self.replies.extend([reply] * count)

    def take(self) -> str | None:
        """The reply for the message arriving now, if one was injected."""
        return self.replies.pop(0) if self.replies else None


class SmtpSink:
    """An SMTP server on 127.0.0.1 that accepts everything unless told otherwise."""

    def __init__(
        self,
        *,
        spool: Path | None = None,
        starttls: bool = False,
        credentials: tuple[str, str] | None = None,
        announce: Callable[[ReceivedMail], None] | None = None,
    ) -> None:
        self.spool = spool
        self.announce = announce
        self.port = free_port()
        self.faults = SinkFaults()
        self.received: list[ReceivedMail] = []
        self.refused: list[str] = []  # the replies given instead of 250
        self.credentials = credentials
        self.ca_file: str | None = None
        self._tls: ssl.SSLContext | None = None
        if starttls:
            cert, key = tls_files()
            self.ca_file = cert
            self._tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self._tls.load_cert_chain(cert, key)
        self._arrived = threading.Condition()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        """``NUDGE_SMTP_URL`` for this sink."""
        user = f"{self.credentials[0]}:{self.credentials[1]}@" if self.credentials else ""
        starttls = "true" if self._tls else "false"
        return f"smtp://{user}127.0.0.1:{self.port}?starttls={starttls}"

    def start(self) -> SmtpSink:
        """Listen (again) on :attr:`port`."""
        options: dict[str, Any] = {}
        if self._tls is not None:
            options |= {"tls_context": self._tls, "require_starttls": True}
        if self.credentials is not None:
            options |= {"authenticator": self._authenticate, "auth_require_tls": self._tls is not None}
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **options)
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening: connections are refused until :meth:`start`."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, count: int, timeout: float = 30.0) -> list[ReceivedMail]:
        """Block until ``count`` messages arrived in all (or raise ``TimeoutError``)."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.received) >= count, timeout):
                raise TimeoutError(f"{len(self.received)} of {count} messages arrived in {timeout} s")
            return list(self.received)

    def by_recipient(self) -> dict[str, int]:
        """How many messages went to whom."""
        counts: dict[str, int] = {}
        for mail in self.received:
            for address in mail.recipients:
                counts[address] = counts.get(address, 0) + 1
        return dict(sorted(counts.items()))

    def accept(self, sender: str, recipients: list[str], raw: bytes, peer: tuple[str, int]) -> str:
        """Keep one message, or refuse it as :attr:`faults` say; return the SMTP reply."""
        reply = self.faults.take()
        if reply is not None:
            self.refused.append(reply)
            return reply
        mail = ReceivedMail(sender, tuple(recipients), raw, datetime.now(UTC), peer)
        with self._arrived:
            self.received.append(mail)
            number = len(self.received)
            self._arrived.notify_all()
        if self.spool is not None:
            self.spool.mkdir(parents=True, exist_ok=True)
            (self.spool / f"{number:05d}-{_safe(recipients[0])}.eml").write_bytes(raw)
        if self.announce is not None:
            self.announce(mail)
        return "250 2.0.0 OK: queued"

    def _authenticate(
        self, _server: Any, _session: Any, _envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        known = mechanism in ("LOGIN", "PLAIN") and isinstance(data, LoginPassword)
        if known and (data.login.decode(), data.password.decode()) == self.credentials:
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(
        self, _type: type[BaseException] | None, _exc: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self.stop()


class _Handler:
    """aiosmtpd's hook: every complete message goes to the sink."""

    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(  # noqa: N802 (aiosmtpd's hook name)
        self,
        _server: Any,
        session: Any,
        envelope: Any,
    ) -> str:
        faults = self.sink.faults
        if faults.hold_after is not None and len(self.sink.received) == faults.hold_after:
            faults.hold_after = None  # one message is held, once
            faults.holding.set()
            # aiosmtpd cancels this coroutine when the client disconnects: the message is lost.
            while not faults.release.is_set():
                await asyncio.sleep(0.01)
        peer = (str(session.peer[0]), int(session.peer[1]))
        return self.sink.accept(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content), peer)

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, _server: Any, _session: Any, envelope: Any, address: str, _options: list[str]
    ) -> str:
        if address in self.sink.faults.unknown_mailboxes:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def _safe(address: str) -> str:
    return re.sub(r"[^A-Za-z0-9@._-]", "_", address)[:80]
