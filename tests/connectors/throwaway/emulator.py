"""A local Ledgerly: customers, invoices, a change feed, collection tasks, signed webhooks."""

from __future__ import annotations

import itertools
import json
import secrets
import time
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI, Header, HTTPException

from tests.connectors.throwaway.vendor import CHANGES_PATH, TASKS_PATH, WEBHOOK_PATH, sign

WebhookSink = Callable[[str, dict[str, str], bytes], None]


class LedgerlyEmulator:
    """In-memory Ledgerly; ``webhook_sink`` receives each signed change notice."""

    def __init__(self) -> None:
        self.api_key = f"lk_test_{secrets.token_hex(8)}"
        self.webhook_secret = f"lwhsec_{secrets.token_hex(8)}"
        self.webhook_url = f"http://127.0.0.1{WEBHOOK_PATH}"
        self.webhook_sink: WebhookSink | None = None
        self.objects: dict[str, dict[str, Any]] = {}
        self.tasks: list[dict[str, Any]] = []
        self._sequence = itertools.count(1)

    def seed(
        self, *, customers: Sequence[dict[str, Any]] = (), invoices: Sequence[dict[str, Any]] = ()
    ) -> None:
        """Customers ``id, name, domain, currency``; invoices ``id, customer, number, currency,
        total, paid, issued, due``."""
        for customer in customers:
            self._put({"object": "customer", **customer})
        for invoice in invoices:
            self._put({"object": "invoice", "paid": "0", "paid_at": None, **invoice})

    def pay(self, invoice_id: str, *, paid_at: str) -> None:
        """Record full payment of an invoice and notify the webhook."""
        invoice = self.objects[invoice_id]
        self._put({**invoice, "paid": invoice["total"], "paid_at": paid_at})
        self._notify({"type": "invoice.paid", "id": invoice_id})

    def _put(self, item: dict[str, Any]) -> None:
        self.objects[item["id"]] = {**item, "sequence": next(self._sequence)}

    def _notify(self, event: dict[str, Any]) -> None:
        if self.webhook_sink is None:
            return
        body = json.dumps(event).encode()
        headers = {"X-Ledgerly-Signature": sign(self.webhook_secret, body, int(time.time()))}
        self.webhook_sink(self.webhook_url, headers, body)

    @property
    def app(self) -> FastAPI:
        """The HTTP API the connector calls."""
        app = FastAPI()

        def authorised(authorization: str | None) -> None:
            if authorization != f"Bearer {self.api_key}":
                raise HTTPException(status_code=401, detail="invalid API key")

        @app.get(CHANGES_PATH)
        def changes(
            after: int, limit: int, authorization: str | None = Header(default=None)
        ) -> dict[str, Any]:
            authorised(authorization)
            newer = sorted(
                (o for o in self.objects.values() if o["sequence"] > after), key=lambda o: o["sequence"]
            )
            page = newer[:limit]
            return {"data": page, "next": page[-1]["sequence"] if page else after}

        @app.post(TASKS_PATH)
        def post_task(
            task: dict[str, Any], authorization: str | None = Header(default=None)
        ) -> dict[str, str]:
            authorised(authorization)
            self.tasks.append(task)
            return {"id": f"task_{len(self.tasks)}"}

        return app
