"""One SMTP connection kept open across a batch, and SMTP failures as :class:`DeliveryError`.

What is retried (``retryable=True``; the delivery pipeline bounds the attempts, then marks
the message ``failed`` with this text):

* no connection (refused, timed out, dropped) and every 4xx reply (RFC 5321 transient);
* 5xx replies as well: relays answer 5xx for conditions an operator fixes (relay policy,
  quota, authentication), and a bounded retry keeps the message visible meanwhile;
* except a recipient refused at RCPT with 550, 551 or 553 (no such mailbox, not local,
  address not allowed), which no retry can change, and TLS set-up failures (the server
  offers no STARTTLS, its certificate does not verify), which are configuration mistakes.
"""

from __future__ import annotations

import smtplib
import ssl
import threading
import time
from collections.abc import Callable
from pathlib import Path

from connectors.core.protocols import DeliveryError
from connectors.email.settings import SmtpTarget

FINAL_RECIPIENT_CODES = frozenset({550, 551, 553})
# A connection idle this long is checked with NOOP before use (servers drop idle clients).
IDLE_CHECK_SECONDS = 10.0


class SmtpConnection:
    """Sends messages over one connection, reopened when the server dropped it (thread-safe)."""

    def __init__(
        self,
        target: SmtpTarget,
        *,
        timeout: float,
        ca_file: Path | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.target = target
        self.timeout = timeout
        self.ca_file = ca_file
        self._clock = clock
        self._smtp: smtplib.SMTP | None = None
        self._last_used = 0.0
        self._lock = threading.Lock()

    def send(self, sender: str, recipient: str, data: bytes) -> None:
        """Hand ``data`` to the relay for ``recipient``; :class:`DeliveryError` if it refused."""
        with self._lock:
            try:
                smtp = self._connection()
                smtp.sendmail(sender, [recipient], data)
            except smtplib.SMTPRecipientsRefused as exc:
                self._drop()
                code, reply = exc.recipients.get(recipient, (550, b"recipient refused"))
                raise _refused(code, reply, stage="RCPT", final_codes=FINAL_RECIPIENT_CODES) from None
            except smtplib.SMTPResponseException as exc:
                self._drop()
                raise _refused(exc.smtp_code, exc.smtp_error, stage=_stage(exc)) from None
            except (smtplib.SMTPNotSupportedError, ssl.SSLError) as exc:
                self._drop()
                raise DeliveryError(f"TLS with {self._where()} failed: {exc}", retryable=False) from None
            except OSError as exc:  # refused, timed out, reset; SMTPServerDisconnected is one too
                self._drop()
                raise DeliveryError(
                    f"cannot reach {self._where()}: {exc or type(exc).__name__}", retryable=True
                ) from None
            self._last_used = self._clock()

    def close(self) -> None:
        """Say QUIT if the connection is still open."""
        with self._lock:
            if self._smtp is not None:
                try:
                    self._smtp.quit()
                except (smtplib.SMTPException, OSError):
                    self._smtp.close()
                self._smtp = None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None and self._clock() - self._last_used > IDLE_CHECK_SECONDS:
            try:
                self._smtp.noop()
            except (smtplib.SMTPException, OSError):
                self._drop()
        if self._smtp is None:
            self._smtp = self._open()
        return self._smtp

    def _open(self) -> smtplib.SMTP:
        target = self.target
        context = ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)
        smtp: smtplib.SMTP
        if target.implicit_tls:
            smtp = smtplib.SMTP_SSL(target.host, target.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(target.host, target.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if target.starttls:
                smtp.starttls(context=context)
                smtp.ehlo()
            if target.username:
                password = target.password.get_secret_value() if target.password else ""
                smtp.login(target.username, password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    def _where(self) -> str:
        return f"the SMTP server {self.target.host}:{self.target.port}"


def _stage(exc: smtplib.SMTPResponseException) -> str:
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return "MAIL FROM"
    if isinstance(exc, smtplib.SMTPDataError):
        return "DATA"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "AUTH (check the user and password in NUDGE_SMTP_URL)"
    if isinstance(exc, smtplib.SMTPConnectError):
        return "connect"
    return "command"


def _refused(
    code: int, reply: bytes | str, *, stage: str, final_codes: frozenset[int] = frozenset()
) -> DeliveryError:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    retryable = 400 <= code < 600 and code not in final_codes
    return DeliveryError(f"SMTP {code} at {stage}: {text}", retryable=retryable)
