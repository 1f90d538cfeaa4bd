"""Ledgerly, a made-up billing vendor: what its connector knows of its API.

Everything here would live in ``connectors/ledgerly/`` of a real integration; it lives in
the test suite to prove that a vendor plugs in with no edit anywhere else. Its facts
(paths, header, signature) are the connector's; the emulator imports them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from connectors.core.calls import CallStats
from connectors.core.protocols import Cursor, DeliveryError, OutgoingMessage, Page, Rendered
from connectors.core.records import AccountRecord, InvoiceRecord, RecordBase
from connectors.core.webhooks import (
    InboundRequest,
    WebhookEvents,
    WebhookRejectedError,
    WebhookRoute,
    check_timestamp,
)

CHANGES_PATH = "/v1/changes"
TASKS_PATH = "/v1/tasks"
WEBHOOK_PATH = "/integrations/ledgerly/webhook"
SIGNATURE_HEADER = "X-Ledgerly-Signature"
PAGE_SIZE = 2
TOLERANCE = timedelta(minutes=5)


class LedgerlySettings(BaseSettings):
    """How to reach a Ledgerly account (``NUDGE_LEDGERLY_*``)."""

    model_config = SettingsConfigDict(env_prefix="NUDGE_LEDGERLY_", extra="ignore")

    api_key: SecretStr
    base_url: str
    webhook_secret: SecretStr | None = Field(default=None, description="signs Ledgerly's webhooks")


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The ``X-Ledgerly-Signature`` value: ``t=<unix>,s=<hex HMAC-SHA256 of "t.body">``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},s={digest}"


class LedgerlySource:
    """Pulls Ledgerly's change feed: customers and invoices after a sequence number."""

    name = "ledgerly"

    def __init__(self, settings: LedgerlySettings) -> None:
        self._stats = CallStats()
        self._client = httpx.Client(
            base_url=settings.base_url,
            headers={"Authorization": f"Bearer {settings.api_key.get_secret_value()}"},
        )

    @property
    def stats(self) -> CallStats:
        """Requests sent so far."""
        return self._stats

    def pull(self, since: Cursor | None) -> Iterator[Page]:
        """Pages of changes after the cursor's sequence number."""
        after = since["after"] if since else 0
        while True:
            self._stats.calls += 1
            reply = self._client.get(CHANGES_PATH, params={"after": after, "limit": PAGE_SIZE})
            reply.raise_for_status()
            body = reply.json()
            after = body["next"]
            yield Page([_record(item) for item in body["data"]], {"after": after})
            if len(body["data"]) < PAGE_SIZE:
                return


def _record(item: dict[str, Any]) -> RecordBase:
    if item["object"] == "customer":
        return AccountRecord(
            source="ledgerly",
            external_id=item["id"],
            name=item["name"],
            domain=item["domain"],
            currency=item["currency"],
            other_ids={"ledgerly_customer_id": item["id"]},
        )
    total, paid = Decimal(item["total"]), Decimal(item["paid"])
    return InvoiceRecord(
        source="ledgerly",
        external_id=item["id"],
        customer_external_id=item["customer"],
        number=item["number"],
        currency=item["currency"],
        total=total,
        amount_due=total,
        amount_paid=paid,
        amount_remaining=total - paid,
        issue_date=date.fromisoformat(item["issued"]),
        due_date=date.fromisoformat(item["due"]),
        paid_at=datetime.fromisoformat(item["paid_at"]) if item["paid_at"] else None,
        status="paid" if paid >= total else "open",
    )


class LedgerlyNotifier:
    """Turns alerts into collection tasks in Ledgerly, for the account owner (the outbox's
    ``crm_task`` channel: Ledgerly is where this team works its receivables)."""

    name = "ledgerly"
    channels: tuple[str, ...] = ("crm_task",)

    def __init__(self, settings: LedgerlySettings) -> None:
        self._client = httpx.Client(
            base_url=settings.base_url,
            headers={"Authorization": f"Bearer {settings.api_key.get_secret_value()}"},
        )

    def render(self, message: OutgoingMessage) -> Rendered:
        """One line per alert, grouped per account."""
        lines = [
            f"{section.name}: {alert.message}" for section in message.sections for alert in section.alerts
        ]
        return Rendered(text="\n".join(lines), subject=f"{len(lines)} payment alert(s)")

    def send(self, message: OutgoingMessage, rendered: Rendered) -> str:
        """Post the task; Ledgerly answers its id."""
        reply = self._client.post(
            TASKS_PATH, json={"key": message.key, "to": message.recipient.address, "text": rendered.text}
        )
        if reply.status_code >= 400:
            raise DeliveryError(f"ledgerly answered {reply.status_code}", retryable=reply.status_code >= 500)
        return str(reply.json()["id"])


def webhook_route(secret: str) -> WebhookRoute:
    """``POST /integrations/ledgerly/webhook``: a signed change notice asks for a sync."""

    def receive(request: InboundRequest, now: datetime) -> WebhookEvents:
        header = request.header(SIGNATURE_HEADER) or ""
        fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
        if not fields.get("t", "").isdigit() or "s" not in fields:
            raise WebhookRejectedError(f"missing or malformed {SIGNATURE_HEADER}")
        timestamp = int(fields["t"])
        check_timestamp(signed_at=datetime.fromtimestamp(timestamp, UTC), now=now, tolerance=TOLERANCE)
        if not hmac.compare_digest(sign(secret, request.body, timestamp), header):
            raise WebhookRejectedError("signature does not match")
        return WebhookEvents(events=(json.loads(request.body),), delivery=header, sync=("ledgerly",))

    return WebhookRoute(path=WEBHOOK_PATH, receive=receive)
