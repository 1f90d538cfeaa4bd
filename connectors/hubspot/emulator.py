"""A stateful local HubSpot: CRM v3 objects (list, search, batch read), owners, v4
association batch reads, signed v3 webhooks, HubSpot's error bodies and rate-limit headers.

Shapes follow the public CRM v3/v4 references: list pages are ``{"results", "paging":
{"next": {"after", "link"}}}`` ordered by id; search answers ``{"total", "results",
"paging"}`` and refuses to page past ``search_result_cap`` (10,000 at HubSpot); property
values are strings; ``hs_lastmodifieddate`` (``lastmodifieddate`` on contacts) moves on
every change.
"""

from __future__ import annotations

import bisect
import json
import operator
import secrets
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import requests
from fastapi import FastAPI, Request, Response

from connectors.core.emulator import EmulatorGate, ErrorResponse, RollingWindow, monotonic_ms
from connectors.hubspot.facts import (
    ASSOCIATION_BATCH_MAX,
    ASSOCIATION_TYPE_IDS,
    BATCH_READ_MAX,
    LIST_MAX,
    OBJECT_TYPES,
    SEARCH_MAX,
    SINGULAR,
    modified_property,
)
from connectors.hubspot.signature import sign_v3

WebhookSink = Callable[[str, dict[str, str], bytes], None]


def iso_ms(ms: int) -> str:
    """Epoch milliseconds as HubSpot writes datetimes: ``2024-05-01T10:00:00.123Z``."""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _error(status: int, message: str, category: str, **extra: str) -> ErrorResponse:
    body = {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": category,
    }
    body.update(extra)
    return status, {"content-type": "application/json;charset=utf-8"}, json.dumps(body).encode()


def _render_fault(kind: str, retry_after: float) -> ErrorResponse:
    if kind == "throttle":
        status, headers, body = _error(
            429,
            "You have reached your ten_secondly_rolling limit.",
            "RATE_LIMITS",
            errorType="RATE_LIMIT",
            policyName="TEN_SECONDLY_ROLLING",
        )
        headers["Retry-After"] = f"{retry_after:g}"
        return status, headers, body
    return _error(502, "Bad gateway: upstream failure, please retry", "INTERNAL_ERROR")


def _rate_headers(window: RollingWindow, remaining: int) -> dict[str, str]:
    return {
        "X-HubSpot-RateLimit-Max": str(window.max_calls),
        "X-HubSpot-RateLimit-Remaining": str(remaining),
        "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(window.window_seconds * 1000)),
    }


class HubSpotEmulator:
    """In-memory HubSpot portal, served by :func:`connectors.core.emulator.run_emulator`."""

    def __init__(
        self,
        *,
        token: str = "emulator-token",
        client_secret: str | None = None,
        search_result_cap: int = 10_000,
        portal_id: int = 62515,
    ) -> None:
        self.token = token
        # A fresh app secret per emulator (the demo's too): none is a constant in the code.
        self.client_secret = client_secret or secrets.token_urlsafe(24)
        self.search_result_cap = search_result_cap
        self.portal_id = portal_id
        self.objects: dict[str, dict[int, dict[str, Any]]] = {t: {} for t in OBJECT_TYPES}
        self._ids: dict[str, list[int]] = {t: [] for t in OBJECT_TYPES}
        self.associations: dict[tuple[str, str], dict[int, set[int]]] = {}
        self.owners: dict[int, dict[str, Any]] = {}
        self.webhook_url: str | None = None
        self.webhook_sink: WebhookSink | None = None
        self.delivered: list[dict[str, Any]] = []
        self._next_id = 1000
        # Epoch ms of each change; ties allowed, as at HubSpot (tests may swap in a ticking clock).
        self.clock: Callable[[], int] = monotonic_ms()
        self._lock = threading.RLock()
        self.gate = EmulatorGate(self._build_app(), render_error=_render_fault, rate_headers=_rate_headers)

    @property
    def app(self) -> EmulatorGate:
        """The ASGI app to serve."""
        return self.gate

    # ----- seeding and mutations (Python API used by tests, the demo and the bench) -----

    def seed(
        self,
        *,
        owners: Iterable[Mapping[str, Any]] = (),
        companies: Iterable[Mapping[str, Any]] = (),
        contacts: Iterable[Mapping[str, Any]] = (),
        deals: Iterable[Mapping[str, Any]] = (),
    ) -> None:
        """Load plain dicts without emitting webhooks.

        owners: ``email, first_name, last_name``; companies: ``id?, name, domain,
        owner_email, stripe_customer_id`` plus any raw ``properties`` (numeric ``id`` keeps
        the caller's HubSpot id); contacts: ``email, first_name,
        last_name, company_domain``; deals: ``name, amount, stage, close_date, renewal,
        company_domain, owner_email``.
        """
        with self._lock:
            for owner in owners:
                self.add_owner(owner["email"], owner.get("first_name", ""), owner.get("last_name", ""))
            by_email = {o["email"]: oid for oid, o in self.owners.items()}
            by_domain: dict[str, int] = {}
            for row in companies:
                cid = self._insert(
                    "companies", _company_properties(row, by_email), emit=False, object_id=row.get("id")
                )
                by_domain.setdefault(str(row.get("domain", "")), cid)
            for row in contacts:
                self._seed_child("contacts", _contact_properties(row), row, by_domain)
            for row in deals:
                self._seed_child("deals", _deal_properties(row, by_email), row, by_domain)

    def _seed_child(
        self,
        object_type: str,
        properties: dict[str, str],
        row: Mapping[str, Any],
        by_domain: dict[str, int],
    ) -> None:
        oid = self._insert(object_type, properties, emit=False, object_id=row.get("id"))
        company = by_domain.get(str(row.get("company_domain", "")))
        if company is not None:
            self.associate(object_type, oid, "companies", company)

    def add_owner(self, email: str, first_name: str = "", last_name: str = "") -> int:
        """Create a HubSpot user who can own records."""
        with self._lock:
            oid = self._new_id()
            stamp = iso_ms(self.clock())
            self.owners[oid] = {
                "id": str(oid),
                "email": email,
                "firstName": first_name,
                "lastName": last_name,
                "userId": oid + 7_000_000,
                "type": "PERSON",
                "createdAt": stamp,
                "updatedAt": stamp,
                "archived": False,
                "teams": [],
            }
            return oid

    def create(self, object_type: str, properties: Mapping[str, str]) -> int:
        """Create an object (emits ``<type>.creation``)."""
        with self._lock:
            return self._insert(object_type, dict(properties), emit=True)

    def update(self, object_type: str, object_id: int, properties: Mapping[str, str]) -> None:
        """Change properties (emits one ``<type>.propertyChange`` per property)."""
        with self._lock:
            obj = self.objects[object_type][object_id]
            ms = self.clock()
            obj["properties"].update({k: str(v) for k, v in properties.items()})
            self._touch(object_type, obj, ms)
            for name, value in properties.items():
                self._emit(
                    object_type,
                    "propertyChange",
                    object_id,
                    ms,
                    propertyName=name,
                    propertyValue=str(value),
                )

    def archive(self, object_type: str, object_id: int) -> None:
        """Archive an object as ``DELETE /crm/v3/objects/...`` does (emits ``.deletion``)."""
        with self._lock:
            obj = self.objects[object_type][object_id]
            ms = self.clock()
            obj["archived"] = True
            obj["archivedAt"] = iso_ms(ms)
            self._touch(object_type, obj, ms)
            self._emit(object_type, "deletion", object_id, ms)

    def associate(self, from_type: str, from_id: int, to_type: str, to_id: int) -> None:
        """Link two objects both ways."""
        with self._lock:
            self.associations.setdefault((from_type, to_type), {}).setdefault(from_id, set()).add(to_id)
            self.associations.setdefault((to_type, from_type), {}).setdefault(to_id, set()).add(from_id)

    def live(self, object_type: str) -> dict[int, dict[str, Any]]:
        """The truth: objects not archived, by id."""
        return {oid: o for oid, o in self.objects[object_type].items() if not o["archived"]}

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _insert(
        self, object_type: str, properties: dict[str, str], *, emit: bool, object_id: Any = None
    ) -> int:
        oid = self._new_id() if object_id is None else int(object_id)
        self._next_id = max(self._next_id, oid)
        ms = self.clock()
        props = {k: str(v) for k, v in properties.items() if v is not None}
        props.update({"hs_object_id": str(oid), "createdate": iso_ms(ms)})
        obj = {"id": oid, "properties": props, "createdAt": iso_ms(ms), "archived": False}
        self._touch(object_type, obj, ms)
        self.objects[object_type][oid] = obj
        bisect.insort(self._ids[object_type], oid)  # list pages go by id
        if emit:
            self._emit(object_type, "creation", oid, ms)
        return oid

    def _touch(self, object_type: str, obj: dict[str, Any], ms: int) -> None:
        obj["modified_ms"] = ms
        obj["updatedAt"] = iso_ms(ms)
        obj["properties"][modified_property(object_type)] = iso_ms(ms)

    # ----- webhooks -----

    def _emit(self, object_type: str, change: str, object_id: int, ms: int, **extra: str) -> None:
        event = {
            "eventId": self._new_id(),
            "subscriptionId": 1,
            "portalId": self.portal_id,
            "appId": 1,
            "occurredAt": ms,
            "subscriptionType": f"{SINGULAR[object_type]}.{change}",
            "attemptNumber": 0,
            "objectId": object_id,
            "changeSource": "CRM",
            **extra,
        }
        self.delivered.append(event)
        if self.webhook_url is not None or self.webhook_sink is not None:
            self._deliver([event])

    def signed_request(self, url: str, body: bytes, timestamp_ms: int | None = None) -> dict[str, str]:
        """Headers HubSpot sends with a webhook POST of ``body`` to ``url``."""
        ts = self.clock() if timestamp_ms is None else timestamp_ms
        signature = sign_v3(secret=self.client_secret, method="POST", uri=url, body=body, timestamp_ms=ts)
        return {
            "Content-Type": "application/json",
            "X-HubSpot-Signature-v3": signature,
            "X-HubSpot-Request-Timestamp": str(ts),
        }

    def _deliver(self, events: list[dict[str, Any]]) -> None:
        body = json.dumps(events).encode()
        url = self.webhook_url or "http://127.0.0.1/integrations/hubspot/webhook"
        headers = self.signed_request(url, body)
        if self.webhook_sink is not None:
            self.webhook_sink(url, headers, body)
        else:
            requests.post(url, data=body, headers=headers, timeout=10)

    # ----- HTTP -----

    def _build_app(self) -> FastAPI:
        app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
        app.add_api_route("/crm/v3/objects/{object_type}", self._list, methods=["GET"])
        app.add_api_route("/crm/v3/objects/{object_type}/search", self._search, methods=["POST"])
        app.add_api_route("/crm/v3/objects/{object_type}/batch/read", self._batch_read, methods=["POST"])
        app.add_api_route("/crm/v3/owners/", self._owners, methods=["GET"])
        app.add_api_route(
            "/crm/v4/associations/{from_type}/{to_type}/batch/read",
            self._association_read,
            methods=["POST"],
        )
        return app

    def _authorised(self, request: Request) -> Response | None:
        if request.headers.get("authorization") == f"Bearer {self.token}":
            return None
        return _response(_error(401, "Authentication credentials not found.", "INVALID_AUTHENTICATION"))

    def _render(self, object_type: str, obj: dict[str, Any], properties: list[str]) -> dict[str, Any]:
        wanted = set(properties) | {"hs_object_id", "createdate", modified_property(object_type)}
        props = obj["properties"]
        out = {
            "id": str(obj["id"]),
            "properties": {name: props.get(name) for name in wanted},
            "createdAt": obj["createdAt"],
            "updatedAt": obj["updatedAt"],
            "archived": obj["archived"],
        }
        if obj["archived"]:
            out["archivedAt"] = obj["archivedAt"]
        return out

    async def _list(self, object_type: str, request: Request) -> Response:
        if (denied := self._authorised(request)) is not None:
            return denied
        if object_type not in OBJECT_TYPES:
            return _response(_error(404, f"Unknown object type {object_type}", "OBJECT_NOT_FOUND"))
        q = request.query_params
        limit = int(q.get("limit", "10"))
        if not 1 <= limit <= LIST_MAX:
            return _response(_error(400, f"limit must be between 1 and {LIST_MAX}", "VALIDATION_ERROR"))
        archived = q.get("archived", "false").lower() == "true"
        properties = _multi(q.getlist("properties"))
        associations = _multi(q.getlist("associations"))
        with self._lock:
            page, next_after = self._page(object_type, int(q.get("after", "0")), limit, archived)
            results = [self._with_associations(object_type, o, properties, associations) for o in page]
        body: dict[str, Any] = {"results": results}
        if next_after is not None:
            link = f"{request.url.path}?after={next_after}"
            body["paging"] = {"next": {"after": str(next_after), "link": link}}
        return _json(body)

    def _page(
        self, object_type: str, after: int, limit: int, archived: bool
    ) -> tuple[list[dict[str, Any]], int | None]:
        ids, objects = self._ids[object_type], self.objects[object_type]
        index = bisect.bisect_left(ids, after)
        page: list[dict[str, Any]] = []
        while index < len(ids):
            obj = objects[ids[index]]
            if obj["archived"] == archived:
                if len(page) == limit:
                    return page, obj["id"]
                page.append(obj)
            index += 1
        return page, None

    def _with_associations(
        self, object_type: str, obj: dict[str, Any], properties: list[str], associations: list[str]
    ) -> dict[str, Any]:
        out = self._render(object_type, obj, properties)
        linked: dict[str, Any] = {}
        for to_type in associations:
            targets = sorted(self.associations.get((object_type, to_type), {}).get(obj["id"], ()))
            if targets:
                kind = f"{SINGULAR[object_type]}_to_{SINGULAR.get(to_type, to_type)}"
                linked[to_type] = {"results": [{"id": str(t), "type": kind} for t in targets]}
        if linked:
            out["associations"] = linked
        return out

    async def _search(self, object_type: str, request: Request) -> Response:
        if (denied := self._authorised(request)) is not None:
            return denied
        body = await request.json()
        limit = int(body.get("limit") or 10)
        offset = int(body.get("after") or 0)
        if limit > SEARCH_MAX:
            return _response(_error(400, f"limit must be at most {SEARCH_MAX}", "VALIDATION_ERROR"))
        if offset + limit > self.search_result_cap:
            return _response(
                _error(
                    400,
                    f"Paging beyond {self.search_result_cap} results is not supported",
                    "VALIDATION_ERROR",
                )
            )
        with self._lock:
            matched = self._matching(object_type, body.get("filterGroups") or [], body.get("sorts") or [])
            results = [
                self._render(object_type, o, body.get("properties") or [])
                for o in matched[offset : offset + limit]
            ]
        out: dict[str, Any] = {"total": len(matched), "results": results}
        if offset + limit < len(matched):
            out["paging"] = {"next": {"after": str(offset + limit)}}
        return _json(out)

    def _matching(
        self, object_type: str, groups: list[dict[str, Any]], sorts: list[Any]
    ) -> list[dict[str, Any]]:
        tests = [[_filter(f) for f in group.get("filters", [])] for group in groups]
        hits = [
            o
            for o in self.objects[object_type].values()
            if not o["archived"] and (not tests or any(all(t(o["properties"]) for t in g) for g in tests))
        ]
        if sorts:
            sort = sorts[0] if isinstance(sorts[0], dict) else {"propertyName": sorts[0]}
            name = sort.get("propertyName", "hs_object_id")
            reverse = sort.get("direction", "ASCENDING") == "DESCENDING"
            hits.sort(key=lambda o: (_sortable(o["properties"].get(name)), o["id"]), reverse=reverse)
        else:
            hits.sort(key=lambda o: o["id"])
        return hits

    async def _batch_read(self, object_type: str, request: Request) -> Response:
        if (denied := self._authorised(request)) is not None:
            return denied
        body = await request.json()
        inputs = body.get("inputs") or []
        if len(inputs) > BATCH_READ_MAX:
            return _response(_error(400, f"at most {BATCH_READ_MAX} inputs", "VALIDATION_ERROR"))
        archived = request.query_params.get("archived", "false").lower() == "true"
        with self._lock:
            found = [self.objects[object_type].get(int(i["id"])) for i in inputs]
            results = [
                self._render(object_type, o, body.get("properties") or [])
                for o in found
                if o is not None and o["archived"] == archived
            ]
        stamp = iso_ms(self.clock())
        return _json({"status": "COMPLETE", "results": results, "startedAt": stamp, "completedAt": stamp})

    async def _owners(self, request: Request) -> Response:
        if (denied := self._authorised(request)) is not None:
            return denied
        q = request.query_params
        limit = min(int(q.get("limit", "100")), 500)
        after = int(q.get("after", "0"))
        with self._lock:
            ordered = [o for oid, o in sorted(self.owners.items()) if oid >= after]
        body: dict[str, Any] = {"results": ordered[:limit]}
        if len(ordered) > limit:
            body["paging"] = {"next": {"after": ordered[limit]["id"]}}
        return _json(body)

    async def _association_read(self, from_type: str, to_type: str, request: Request) -> Response:
        if (denied := self._authorised(request)) is not None:
            return denied
        inputs = (await request.json()).get("inputs") or []
        if len(inputs) > ASSOCIATION_BATCH_MAX:
            return _response(_error(400, f"at most {ASSOCIATION_BATCH_MAX} inputs", "VALIDATION_ERROR"))
        links = self.associations.get((from_type, to_type), {})
        type_id = ASSOCIATION_TYPE_IDS.get((from_type, to_type), 1)
        results = [
            {
                "from": {"id": str(i["id"])},
                "to": [
                    {
                        "toObjectId": t,
                        "associationTypes": [
                            {"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": None}
                        ],
                    }
                    for t in sorted(links[int(i["id"])])
                ],
            }
            for i in inputs
            if links.get(int(i["id"]))
        ]
        stamp = iso_ms(self.clock())
        return _json({"status": "COMPLETE", "results": results, "startedAt": stamp, "completedAt": stamp})


def _company_properties(row: Mapping[str, Any], owners_by_email: dict[str, int]) -> dict[str, str]:
    props = {"name": row.get("name"), "domain": row.get("domain")}
    if row.get("owner_email") in owners_by_email:
        props["hubspot_owner_id"] = str(owners_by_email[row["owner_email"]])
    if row.get("stripe_customer_id"):
        props["stripe_customer_id"] = row["stripe_customer_id"]
    props.update(row.get("properties") or {})
    return {k: str(v) for k, v in props.items() if v is not None}


def _contact_properties(row: Mapping[str, Any]) -> dict[str, str]:
    keys = {
        "email": "email",
        "first_name": "firstname",
        "last_name": "lastname",
        "title": "jobtitle",
        "phone": "phone",
    }
    return {hs: str(row[k]) for k, hs in keys.items() if row.get(k) is not None}


def _deal_properties(row: Mapping[str, Any], owners_by_email: dict[str, int]) -> dict[str, str]:
    props = {
        "dealname": row.get("name"),
        "amount": row.get("amount"),
        "dealstage": row.get("stage"),
        "closedate": row.get("close_date"),
        "pipeline": "default",
        "dealtype": "existingbusiness" if row.get("renewal") else "newbusiness",
        "deal_currency_code": row.get("currency", "USD"),
    }
    if row.get("owner_email") in owners_by_email:
        props["hubspot_owner_id"] = str(owners_by_email[row["owner_email"]])
    return {k: str(v) for k, v in props.items() if v is not None}


def _sortable(value: str | None) -> Any:
    if value is None:
        return (0, "")
    try:
        return (1, float(value))
    except ValueError:
        return (2, _as_ms(value) if value[:4].isdigit() and "T" in value else value)


def _as_ms(value: str) -> int | str:
    try:
        if value.isdigit():
            return int(value)
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return value


_COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "EQ": operator.eq,
    "NEQ": operator.ne,
    "GT": operator.gt,
    "GTE": operator.ge,
    "LT": operator.lt,
    "LTE": operator.le,
}


def _filter(spec: Mapping[str, Any]) -> Callable[[Mapping[str, str]], bool]:
    """A predicate for one search filter (the operators a sync needs, on dates or numbers)."""
    name, op = spec["propertyName"], spec.get("operator", "EQ")
    low: Any = _as_ms(str(spec.get("value", "")))
    high: Any = _as_ms(str(spec.get("highValue", "")))

    def test(props: Mapping[str, str]) -> bool:
        raw = props.get(name)
        if op == "HAS_PROPERTY":
            return raw is not None
        if raw is None:
            return False
        value: Any = _as_ms(raw)
        if op == "BETWEEN":
            return bool(low <= value <= high)
        return bool(_COMPARISONS[op](value, low))

    return test


def _multi(values: list[str]) -> list[str]:
    """A list query parameter, given repeated (``a=1&a=2``) or comma-separated (``a=1,2``)."""
    return [part for value in values for part in value.split(",") if part]


def _json(body: Any) -> Response:
    return Response(json.dumps(body, separators=(",", ":")), media_type="application/json;charset=utf-8")


def _response(error: ErrorResponse) -> Response:
    status, headers, body = error
    return Response(body, status_code=status, headers=headers)
