"""A notifier that writes every message it sends to a JSON-lines file: the test suite's channel.

It is a real plugin (``nudge.connectors`` entry point, settings from ``NUDGE_RECORDER_*``)
so the cycle, ``nudge deliver`` and ``nudge serve`` find it like any vendor. It can be
told to be slow (a kill lands mid-batch) and to fail, retryably or not, like a vendor.
It records every message it accepts (a key sent twice shows twice) and every attempt.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from connectors.core.protocols import DeliveryError, OutgoingMessage, Rendered


class RecorderSettings(BaseSettings):
    """``NUDGE_RECORDER_FILE`` turns it on; the rest shape its behaviour."""

    model_config = SettingsConfigDict(env_prefix="NUDGE_RECORDER_", extra="ignore")

    file: Path | None = None
    channels: list[str] = ["email"]
    # "retryable" or "fatal": how sends fail; fail_times: how many times per message (0: always);
    # fail_for: only messages to these recipients fail (empty: every message).
    fail: str | None = None
    fail_times: int = 0
    fail_for: list[str] = []
    retry_after: float | None = None
    delay_seconds: float = 0.0


class RecordingNotifier:
    """Renders a plain digest and appends each send to ``file`` (attempts to ``file.attempts``)."""

    name = "recorder"

    def __init__(self, settings: RecorderSettings) -> None:
        assert settings.file is not None
        self.file = settings.file
        self.settings = settings
        self.channels = tuple(settings.channels)

    def render(self, message: OutgoingMessage) -> Rendered:
        lines = [f"{section.name}: {line.message}" for section in message.sections for line in section.alerts]
        count = sum(len(section.alerts) for section in message.sections)
        subject = f"{count} alert(s) on {len(message.sections)} account(s)"
        html = "<ul>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>"
        return Rendered(text="\n".join([*message.notes, *lines]), subject=subject, html=html)

    def send(self, message: OutgoingMessage, rendered: Rendered) -> str:
        time.sleep(self.settings.delay_seconds)
        attempt = self._attempt(message.key)
        if self._fails(message, attempt):
            retryable = self.settings.fail == "retryable"
            raise DeliveryError(
                f"recorder refused attempt {attempt}: 451 try again later"
                if retryable
                else "recorder refused: 550 no such mailbox",
                retryable=retryable,
                retry_after=self.settings.retry_after,
            )
        _append(self.file, _record(message, rendered))
        return "rec-" + hashlib.sha256(message.key.encode()).hexdigest()[:12]

    def _fails(self, message: OutgoingMessage, attempt: int) -> bool:
        settings = self.settings
        targeted = not settings.fail_for or message.recipient.address in settings.fail_for
        return (
            bool(settings.fail) and targeted and (settings.fail_times == 0 or attempt <= settings.fail_times)
        )

    def _attempt(self, key: str) -> int:
        attempts = self.file.with_suffix(".attempts")
        _append(attempts, {"key": key})
        return sum(1 for line in attempts.read_text().splitlines() if json.loads(line)["key"] == key)


def _record(message: OutgoingMessage, rendered: Rendered) -> dict[str, object]:
    return {
        "key": message.key,
        "channel": message.channel,
        "kind": message.kind,
        "recipient": message.recipient.address,
        "recipient_name": message.recipient.name,
        "subject": rendered.subject,
        "accounts": [section.account_id for section in message.sections],
        "alert_ids": [alert.alert_id for section in message.sections for alert in section.alerts],
        "notes": list(message.notes),
        "links": [link.url for s in message.sections for a in s.alerts for link in a.actions],
    }


def _append(path: Path, record: dict[str, object]) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
