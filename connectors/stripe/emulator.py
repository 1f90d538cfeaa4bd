"""A stateful local Stripe: customers, invoices, credit notes and events, with Stripe's list
envelope (``{"object": "list", "url", "has_more", "data"}``, newest first, ``limit`` up to
100, ``starting_after`` / ``ending_before`` by object id, ``created[gt|gte|lt|lte]``),
Stripe's error bodies, events kept 30 days, and webhooks signed with ``Stripe-Signature``.

Invoices follow the current API: ``status``, ``amount_due/paid/remaining``,
``status_transitions.paid_at``, ``collection_method``, and no top-level ``paid`` or
``subscription`` (the subscription lives under ``parent``). Amounts are in minor units.
"""

from __future__ import annotations

import bisect
import itertools
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

import requests
from fastapi import FastAPI, Request, Response

from connectors.core.emulator import EmulatorGate, ErrorResponse
from connectors.stripe.facts import EVENT_RETENTION_SECONDS, LIST_MAX, ZERO_DECIMAL
from connectors.stripe.signature import sign_payload

API_VERSION = "2025-03-31.basil"
RESOURCES = {"customers": "cus", "invoices": "in", "credit_notes": "cn", "events": "evt"}

WebhookSink = Callable[[str, dict[str, str], bytes], None]


def minor_units(amount: float | int | str, currency: str) -> int:
    """A major-unit amount (12.50 EUR) in Stripe's minor units (1250)."""
    factor = 1 if currency.lower() in ZERO_DECIMAL else 100
    return round(float(amount) * factor)


def _ts(value: Any) -> int | None:
    """A seed date/datetime/ISO string/epoch as Stripe's epoch seconds."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, datetime):
        return int(value.replace(tzinfo=value.tzinfo or UTC).timestamp())
    if isinstance(value, date):
        return int(datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp())
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return int(parsed.replace(tzinfo=parsed.tzinfo or UTC).timestamp())


def _error(status: int, kind: str, message: str, code: str | None = None, **headers: str) -> ErrorResponse:
    body: dict[str, Any] = {"error": {"type": kind, "message": message}}
    if code:
        body["error"]["code"] = code
    return status, {"content-type": "application/json", **headers}, json.dumps(body).encode()


def _render_fault(kind: str, retry_after: float) -> ErrorResponse:
    if kind == "throttle":
        return _error(
            429,
            "invalid_request_error",
            "Request rate limit exceeded. Retry after a short while.",
            "rate_limit",
            **{"Retry-After": f"{retry_after:g}", "Stripe-Should-Retry": "true"},
        )
    return _error(500, "api_error", "An unknown error occurred.", **{"Stripe-Should-Retry": "true"})


class _Collection:
    """Objects of one resource in creation order, with O(page) cursor paging."""

    def __init__(self) -> None:
        self.order: list[str] = []
        self.created: list[int] = []
        self.position: dict[str, int] = {}
        self.items: dict[str, dict[str, Any]] = {}

    def add(self, obj: dict[str, Any]) -> None:
        self.position[obj["id"]] = len(self.order)
        self.order.append(obj["id"])
        self.created.append(obj["created"])
        self.items[obj["id"]] = obj

    def page(
        self,
        limit: int,
        starting_after: str | None,
        ending_before: str | None,
        created: Mapping[str, int],
        keep: Callable[[dict[str, Any]], bool],
    ) -> tuple[list[dict[str, Any]], bool]:
        """Live objects newest first, bounded by the cursors and ``created`` filters.

        List order is insertion order, so seed rows oldest first as Stripe creates them.
        """
        low, high = self._created_bounds(created)
        if ending_before is not None:
            start = max(low, self.position[ending_before] + 1)
            found = self._scan(range(start, high), limit, keep)
            return list(reversed(found[:limit])), len(found) > limit
        end = high if starting_after is None else min(high, self.position[starting_after])
        found = self._scan(range(end - 1, low - 1, -1), limit, keep)
        return found[:limit], len(found) > limit

    def _scan(
        self, indexes: range, limit: int, keep: Callable[[dict[str, Any]], bool]
    ) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for index in indexes:
            obj = self.items[self.order[index]]
            if not obj.get("deleted") and keep(obj):
                found.append(obj)
                if len(found) > limit:
                    break
        return found

    def _created_bounds(self, created: Mapping[str, int]) -> tuple[int, int]:
        low, high = 0, len(self.order)
        if "gt" in created:
            low = bisect.bisect_right(self.created, created["gt"])
        if "gte" in created:
            low = max(low, bisect.bisect_left(self.created, created["gte"]))
        if "lt" in created:
            high = bisect.bisect_left(self.created, created["lt"])
        if "lte" in created:
            high = min(high, bisect.bisect_right(self.created, created["lte"]))
        return low, high


class StripeEmulator:
    """In-memory Stripe account, served by :func:`connectors.core.emulator.run_emulator`."""

    def __init__(self, *, api_key: str = "sk_test_emulator", webhook_secret: str | None = None) -> None:
        self.api_key = api_key
        # A fresh signing secret per emulator (the demo's too): none is a constant in the code.
        self.webhook_secret = webhook_secret or "whsec_" + secrets.token_urlsafe(24)
        self.data = {name: _Collection() for name in RESOURCES}
        self.webhook_url: str | None = None
        self.webhook_sink: WebhookSink | None = None
        self.record_events = True
        self._counter = itertools.count(1)
        self._lock = threading.RLock()
        self.gate = EmulatorGate(self._build_app(), render_error=_render_fault)

    @property
    def app(self) -> EmulatorGate:
        """The ASGI app to serve."""
        return self.gate

    def _id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._counter):08d}{secrets.token_hex(4)}"

    # ----- seeding (no events, like data that existed before Nudge was connected) -----

    def seed(
        self,
        *,
        customers: Iterable[Mapping[str, Any]] = (),
        invoices: Iterable[Mapping[str, Any]] = (),
        credit_notes: Iterable[Mapping[str, Any]] = (),
    ) -> None:
        """Load plain dicts (amounts in major units, dates as ISO strings or dates).

        customers: ``id?, name, email, currency, metadata, created``; invoices: ``id?,
        customer, number, currency, total, amount_paid, issue_date, due_date, paid_at,
        status (draft|open|paid|void|uncollectible), collection_method``; credit notes:
        ``id?, invoice, amount, reason, issued_at``.
        """
        with self._lock:
            for row in customers:
                self.data["customers"].add(self._customer(row))
            for row in invoices:
                self.data["invoices"].add(self._invoice(row))
            for row in credit_notes:
                self.data["credit_notes"].add(self._credit_note(row))

    def _customer(self, row: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "id": row.get("id") or self._id("cus"),
            "object": "customer",
            "created": _ts(row.get("created")) or int(time.time()),
            "name": row.get("name"),
            "email": row.get("email"),
            "currency": row.get("currency", "usd").lower(),
            "metadata": dict(row.get("metadata") or {}),
            "balance": 0,
            "delinquent": False,
            "description": None,
            "phone": None,
            "address": None,
            "livemode": False,
            "invoice_prefix": None,
            "preferred_locales": [],
            "tax_exempt": "none",
        }

    def _invoice(self, row: Mapping[str, Any]) -> dict[str, Any]:
        currency = row.get("currency", "usd").lower()
        total = minor_units(row.get("total", row.get("amount", 0)), currency)
        status = row.get("status", "open")
        paid = (
            minor_units(row["amount_paid"], currency)
            if row.get("amount_paid") is not None
            else (total if status == "paid" else 0)
        )
        created = _ts(row.get("issue_date")) or int(time.time())
        return {
            "id": row.get("id") or self._id("in"),
            "object": "invoice",
            "customer": row["customer"],
            "number": row.get("number"),
            "currency": currency,
            "created": created,
            "effective_at": created,
            "total": total,
            "subtotal": total,
            "amount_due": total,
            "amount_paid": paid,
            "amount_remaining": 0 if status in ("paid", "void") else total - paid,
            "due_date": _ts(row.get("due_date")),
            "status": status,
            "collection_method": row.get("collection_method", "send_invoice"),
            "paid_at": _ts(row.get("paid_at")) if status == "paid" or paid else None,
            "voided_at": created if status == "void" else None,
            "metadata": dict(row.get("metadata") or {}),
        }

    def _credit_note(self, row: Mapping[str, Any]) -> dict[str, Any]:
        invoice = self.data["invoices"].items[row["invoice"]]
        return {
            "id": row.get("id") or self._id("cn"),
            "object": "credit_note",
            "invoice": invoice["id"],
            "customer": invoice["customer"],
            "currency": invoice["currency"],
            "amount": minor_units(row["amount"], invoice["currency"]),
            "created": _ts(row.get("issued_at")) or int(time.time()),
            "number": row.get("number"),
            "reason": row.get("reason"),
            "status": row.get("status", "issued"),
            "memo": None,
            "type": "post_payment" if invoice["status"] == "paid" else "pre_payment",
        }

    # ----- mutations: each emits an event (and a webhook when a target is set) -----

    def create_customer(self, **row: Any) -> str:
        """Create a customer (``customer.created``)."""
        with self._lock:
            obj = self._customer(row)
            self.data["customers"].add(obj)
            self._emit("customer.created", obj)
            return str(obj["id"])

    def delete_customer(self, customer_id: str) -> None:
        """Delete a customer (``customer.deleted``; it leaves the lists)."""
        with self._lock:
            obj = self.data["customers"].items[customer_id]
            obj["deleted"] = True
            self._emit("customer.deleted", obj)

    def create_invoice(self, **row: Any) -> str:
        """Create and finalize an invoice (``invoice.created`` then ``invoice.finalized``)."""
        with self._lock:
            obj = self._invoice(row)
            self.data["invoices"].add(obj)
            self._emit("invoice.created", obj)
            if obj["status"] != "draft":
                self._emit("invoice.finalized", obj)
            return str(obj["id"])

    def pay_invoice(self, invoice_id: str, amount: float | None = None, at: int | None = None) -> None:
        """Record a payment: in full marks it paid (``invoice.paid``), else ``invoice.updated``."""
        with self._lock:
            obj = self.data["invoices"].items[invoice_id]
            paid = obj["amount_remaining"] if amount is None else minor_units(amount, obj["currency"])
            previous = {
                "amount_paid": obj["amount_paid"],
                "amount_remaining": obj["amount_remaining"],
            }
            obj["amount_paid"] += paid
            obj["amount_remaining"] = max(0, obj["amount_due"] - obj["amount_paid"])
            if obj["amount_remaining"] == 0:
                obj["status"], obj["paid_at"] = "paid", at or int(time.time())
                self._emit("invoice.paid", obj, previous)
            else:
                self._emit("invoice.updated", obj, previous)

    def void_invoice(self, invoice_id: str) -> None:
        """Void an open invoice (``invoice.voided``)."""
        with self._lock:
            obj = self.data["invoices"].items[invoice_id]
            obj["status"], obj["amount_remaining"], obj["voided_at"] = "void", 0, int(time.time())
            self._emit("invoice.voided", obj, {"status": "open"})

    def create_credit_note(self, **row: Any) -> str:
        """Issue a credit note reducing its invoice's balance (``credit_note.created``)."""
        with self._lock:
            obj = self._credit_note(row)
            self.data["credit_notes"].add(obj)
            invoice = self.data["invoices"].items[obj["invoice"]]
            invoice["amount_remaining"] = max(0, invoice["amount_remaining"] - obj["amount"])
            self._emit("credit_note.created", obj)
            self._emit("invoice.updated", invoice)
            return str(obj["id"])

    def live(self, resource: str) -> dict[str, dict[str, Any]]:
        """The truth: objects of a resource that are not deleted, by id."""
        return {k: v for k, v in self.data[resource].items.items() if not v.get("deleted")}

    def _emit(self, kind: str, obj: dict[str, Any], previous: Mapping[str, Any] | None = None) -> None:
        snapshot = json.loads(json.dumps(self._render(obj)))
        event: dict[str, Any] = {
            "id": self._id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()),
            "type": kind,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "data": {
                "object": snapshot,
                **({"previous_attributes": dict(previous)} if previous else {}),
            },
        }
        if self.record_events:
            self.data["events"].add(event)
        if self.webhook_url is not None or self.webhook_sink is not None:
            self._deliver(event)

    def _deliver(self, event: Mapping[str, Any]) -> None:
        body = json.dumps(event).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": sign_payload(self.webhook_secret, body, int(time.time())),
        }
        url = self.webhook_url or "http://127.0.0.1/integrations/stripe/webhook"
        if self.webhook_sink is not None:
            self.webhook_sink(url, headers, body)
        else:
            requests.post(url, data=body, headers=headers, timeout=10)

    # ----- HTTP -----

    def _build_app(self) -> FastAPI:
        app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
        for resource in RESOURCES:
            app.add_api_route(f"/v1/{resource}", self._lister(resource), methods=["GET"])
        return app

    def _lister(self, resource: str) -> Callable[[Request], Any]:
        async def list_resource(request: Request) -> Response:
            if request.headers.get("authorization") != f"Bearer {self.api_key}":
                return _response(_error(401, "invalid_request_error", "Invalid API Key provided."))
            return self._list(resource, request)

        return list_resource

    def _list(self, resource: str, request: Request) -> Response:
        q = request.query_params
        limit = int(q.get("limit", "10"))
        if not 1 <= limit <= LIST_MAX:
            return _response(
                _error(
                    400,
                    "invalid_request_error",
                    "Invalid integer: limit must be between 1 and 100",
                    "parameter_invalid_integer",
                )
            )
        created = {op: int(q[f"created[{op}]"]) for op in ("gt", "gte", "lt", "lte") if f"created[{op}]" in q}
        if resource == "events":
            oldest = int(time.time()) - EVENT_RETENTION_SECONDS
            created["gte"] = max(created.get("gte", oldest), oldest)
        collection = self.data[resource]
        for cursor in ("starting_after", "ending_before"):
            if q.get(cursor) and q[cursor] not in collection.position:
                return _response(
                    _error(
                        404,
                        "invalid_request_error",
                        f"No such object: '{q[cursor]}'",
                        "resource_missing",
                    )
                )
        with self._lock:
            types = {v for k, v in q.multi_items() if k.startswith("types[") or k == "type"}
            page, has_more = collection.page(
                limit,
                q.get("starting_after"),
                q.get("ending_before"),
                created,
                (lambda o: o.get("type") in types) if types else (lambda o: True),
            )
            data = [self._render(o) for o in page]
        body = {"object": "list", "url": f"/v1/{resource}", "has_more": has_more, "data": data}
        return Response(json.dumps(body, separators=(",", ":")), media_type="application/json")

    def _render(self, obj: dict[str, Any]) -> dict[str, Any]:
        kind = obj["object"]
        if kind == "invoice":
            return _render_invoice(obj, self.data["customers"].items.get(obj["customer"]))
        if kind == "credit_note":
            return _render_credit_note(obj)
        if kind == "customer" and obj.get("deleted"):
            return {"id": obj["id"], "object": "customer", "deleted": True}
        return obj


def _render_invoice(obj: dict[str, Any], customer: dict[str, Any] | None) -> dict[str, Any]:
    finalized = None if obj["status"] == "draft" else obj["created"]
    return {
        "id": obj["id"],
        "object": "invoice",
        "account_country": "US",
        "account_name": "Nudge Demo Inc.",
        "amount_due": obj["amount_due"],
        "amount_overpaid": 0,
        "amount_paid": obj["amount_paid"],
        "amount_remaining": obj["amount_remaining"],
        "amount_shipping": 0,
        "attempt_count": 0,
        "attempted": obj["amount_paid"] > 0,
        "auto_advance": obj["status"] == "draft",
        "billing_reason": "manual",
        "collection_method": obj["collection_method"],
        "created": obj["created"],
        "currency": obj["currency"],
        "customer": obj["customer"],
        "customer_email": customer.get("email") if customer else None,
        "customer_name": customer.get("name") if customer else None,
        "description": None,
        "discounts": [],
        "due_date": obj["due_date"],
        "effective_at": obj["effective_at"],
        "ending_balance": 0 if finalized else None,
        "hosted_invoice_url": None,
        "invoice_pdf": None,
        "livemode": False,
        "metadata": obj["metadata"],
        "number": obj["number"],
        "parent": None,
        "period_end": obj["created"],
        "period_start": obj["created"],
        "post_payment_credit_notes_amount": 0,
        "pre_payment_credit_notes_amount": 0,
        "starting_balance": 0,
        "status": obj["status"],
        "status_transitions": {
            "finalized_at": finalized,
            "marked_uncollectible_at": None,
            "paid_at": obj["paid_at"],
            "voided_at": obj["voided_at"],
        },
        "subtotal": obj["subtotal"],
        "total": obj["total"],
        "webhooks_delivered_at": obj["created"],
        **({"deleted": True} if obj.get("deleted") else {}),
    }


def _render_credit_note(obj: dict[str, Any]) -> dict[str, Any]:
    return {
        **obj,
        "amount_shipping": 0,
        "discount_amount": 0,
        "effective_at": obj["created"],
        "livemode": False,
        "metadata": {},
        "out_of_band_amount": None,
        "pdf": None,
        "subtotal": obj["amount"],
        "total": obj["amount"],
        "voided_at": obj["created"] if obj["status"] == "void" else None,
    }


def _response(error: ErrorResponse) -> Response:
    status, headers, body = error
    return Response(body, status_code=status, headers=headers)
