"""A stateful local Salesforce org: SOQL ``query`` / ``queryAll`` with ``nextRecordsUrl``
batches of up to 2,000, Bulk API 2.0 query jobs with CSV results and ``Sforce-Locator``
paging, ``Sforce-Limit-Info: api-usage=N/LIMIT`` on every answer, Salesforce's error
arrays, and ``REQUEST_LIMIT_EXCEEDED`` once the org's daily allocation is used up.

It serves HTTPS (``simple-salesforce`` always builds ``https://`` URLs): :func:`tls_files`
makes a throwaway self-signed certificate for 127.0.0.1 that clients trust explicitly.
Only the SOQL the connector sends is understood: ``SELECT fields FROM Object [WHERE
SystemModstamp >|>= datetime] [ORDER BY SystemModstamp, Id]``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import ipaddress
import itertools
import json
import re
import tempfile
import threading
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response

from connectors.core.emulator import EmulatorGate, ErrorResponse, monotonic_ms
from connectors.salesforce.facts import BATCH_SIZE, PREFIXES, parse_sf_datetime, sf_datetime

SOQL = re.compile(
    r"^SELECT\s+(?P<fields>.+?)\s+FROM\s+(?P<object>\w+)"
    r"(?:\s+WHERE\s+SystemModstamp\s*(?P<op>>=|>)\s*(?P<since>\S+))?"
    r"(?:\s+ORDER\s+BY\s+SystemModstamp(?:\s*,\s*Id)?)?\s*$",
    re.IGNORECASE | re.DOTALL,
)


def tls_files(directory: Path | None = None) -> tuple[str, str]:
    """(certificate, key) paths of a fresh self-signed certificate for 127.0.0.1/localhost."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder = directory or Path(tempfile.mkdtemp(prefix="sf-emulator-"))
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


def _errors(status: int, code: str, message: str, **headers: str) -> ErrorResponse:
    body = json.dumps([{"message": message, "errorCode": code}]).encode()
    return status, {"content-type": "application/json;charset=UTF-8", **headers}, body


def _render_fault(kind: str, retry_after: float) -> ErrorResponse:
    if kind == "throttle":
        return _errors(
            429,
            "REQUEST_LIMIT_EXCEEDED",
            "ConcurrentPerOrgLongTxn Limit exceeded.",
            **{"Retry-After": f"{retry_after:g}"},
        )
    return _errors(503, "SERVER_UNAVAILABLE", "Server temporarily unavailable, please retry")


class SalesforceEmulator:
    """In-memory Salesforce org, served over HTTPS by ``run_emulator``."""

    def __init__(self, *, session_id: str = "00Demulator!session", daily_api_limit: int = 15_000_000) -> None:
        self.session_id = session_id
        self.daily_api_limit = daily_api_limit
        self.api_usage = 0
        self.records: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in PREFIXES}
        self._locators: dict[str, tuple[list[dict[str, Any]], int]] = {}
        self._jobs: dict[str, dict[str, Any]] = {}
        self._counter = itertools.count(1)
        self._now = monotonic_ms()
        self._lock = threading.RLock()
        self.gate = EmulatorGate(self._build_app(), render_error=_render_fault)

    @property
    def app(self) -> EmulatorGate:
        """The ASGI app to serve."""
        return self.gate

    # ----- seeding and mutations -----

    def seed(
        self,
        *,
        users: Iterable[Mapping[str, Any]] = (),
        accounts: Iterable[Mapping[str, Any]] = (),
        contacts: Iterable[Mapping[str, Any]] = (),
        opportunities: Iterable[Mapping[str, Any]] = (),
    ) -> None:
        """Load plain dicts: users ``email, first_name, last_name``; accounts ``id?, name, domain,
        owner_email, stripe_customer_id``; contacts ``email, first_name, last_name,
        account_domain``; opportunities ``name, amount, stage, close_date, renewal,
        account_domain, owner_email``."""
        with self._lock:
            for row in users:
                self.create(
                    "User",
                    {
                        "Email": row["email"],
                        "FirstName": row.get("first_name"),
                        "LastName": row.get("last_name"),
                        "IsActive": True,
                        "Name": f"{row.get('first_name', '')} {row.get('last_name', '')}".strip(),
                    },
                )
            owners = {u["Email"]: uid for uid, u in self.records["User"].items()}
            accounts_by_domain: dict[str, str] = {}
            for row in accounts:
                aid = self.create(
                    "Account",
                    {
                        "Name": row.get("name"),
                        "Website": row.get("domain"),
                        "OwnerId": owners.get(row.get("owner_email", "")),
                        "Stripe_Customer_Id__c": row.get("stripe_customer_id"),
                        "BillingCountry": row.get("country"),
                    },
                    row.get("id"),
                )
                accounts_by_domain.setdefault(str(row.get("domain")), aid)
            for row in contacts:
                self.create(
                    "Contact",
                    {
                        "Email": row.get("email"),
                        "FirstName": row.get("first_name"),
                        "LastName": row.get("last_name"),
                        "Title": row.get("title"),
                        "AccountId": accounts_by_domain.get(str(row.get("account_domain"))),
                    },
                )
            for row in opportunities:
                stage = row.get("stage", "Prospecting")
                self.create(
                    "Opportunity",
                    {
                        "Name": row.get("name"),
                        "Amount": row.get("amount"),
                        "StageName": stage,
                        "CloseDate": row.get("close_date"),
                        "IsClosed": stage.startswith("Closed"),
                        "IsWon": stage == "Closed Won",
                        "Type": "Renewal" if row.get("renewal") else "New Customer",
                        "AccountId": accounts_by_domain.get(str(row.get("account_domain"))),
                        "OwnerId": owners.get(row.get("owner_email", "")),
                    },
                )

    def create(self, sobject: str, fields: Mapping[str, Any], record_id: str | None = None) -> str:
        """Insert a record (with the caller's 18-character id, or a new one); return its id."""
        with self._lock:
            rid = record_id or f"{PREFIXES[sobject]}5g00000{next(self._counter):08d}"
            stamp = sf_datetime(self._now())
            record = {"Id": rid, **fields, "CreatedDate": stamp, "IsDeleted": False}
            self._touch(record, stamp)
            self.records[sobject][rid] = record
            return rid

    def update(self, sobject: str, record_id: str, fields: Mapping[str, Any]) -> None:
        """Change fields; bumps ``SystemModstamp`` and ``LastModifiedDate``."""
        with self._lock:
            record = self.records[sobject][record_id]
            record.update(fields)
            self._touch(record, sf_datetime(self._now()))

    def delete(self, sobject: str, record_id: str) -> None:
        """Move a record to the recycle bin (visible to ``queryAll`` with ``IsDeleted``)."""
        with self._lock:
            record = self.records[sobject][record_id]
            record["IsDeleted"] = True
            self._touch(record, sf_datetime(self._now()))

    def live(self, sobject: str) -> dict[str, dict[str, Any]]:
        """The truth: records not deleted, by id."""
        return {k: v for k, v in self.records[sobject].items() if not v["IsDeleted"]}

    @staticmethod
    def _touch(record: dict[str, Any], stamp: str) -> None:
        record["SystemModstamp"] = record["LastModifiedDate"] = stamp

    # ----- HTTP -----

    def _build_app(self) -> FastAPI:
        app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
        base = "/services/data/v{version}"
        app.add_api_route(base + "/query/", self._query, methods=["GET"])
        app.add_api_route(base + "/queryAll/", self._query_all, methods=["GET"])
        app.add_api_route(base + "/query/{locator}", self._more, methods=["GET"])
        app.add_api_route(base + "/queryAll/{locator}", self._more, methods=["GET"])
        app.add_api_route(base + "/jobs/query", self._create_job, methods=["POST"])
        app.add_api_route(base + "/jobs/query/{job_id}", self._job, methods=["GET"])
        app.add_api_route(base + "/jobs/query/{job_id}/results", self._results, methods=["GET"])
        return app

    def _admit(self, request: Request) -> Response | None:
        """Authenticate and charge one API call against the org's daily allocation."""
        if request.headers.get("authorization") != f"Bearer {self.session_id}":
            return _response(_errors(401, "INVALID_SESSION_ID", "Session expired or invalid"))
        with self._lock:
            if self.api_usage >= self.daily_api_limit:
                return _response(_errors(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."))
            self.api_usage += 1
        return None

    def _limit_header(self) -> dict[str, str]:
        return {"Sforce-Limit-Info": f"api-usage={self.api_usage}/{self.daily_api_limit}"}

    async def _query(self, version: str, request: Request) -> Response:
        return self._run_soql(version, request, include_deleted=False)

    async def _query_all(self, version: str, request: Request) -> Response:
        return self._run_soql(version, request, include_deleted=True)

    def _run_soql(self, version: str, request: Request, *, include_deleted: bool) -> Response:
        if (denied := self._admit(request)) is not None:
            return denied
        try:
            sobject, fields, rows = self._select(request.query_params.get("q", ""), include_deleted)
        except ValueError as exc:
            return _response(_errors(400, "MALFORMED_QUERY", str(exc)))
        users = self.records["User"]
        shaped = [_shape(sobject, fields, r, version, users) for r in rows]
        endpoint = "queryAll" if include_deleted else "query"
        return self._batch(version, endpoint, shaped, 0)

    def _select(self, soql: str, include_deleted: bool) -> tuple[str, list[str], list[dict[str, Any]]]:
        match = SOQL.match(soql.strip())
        if match is None or match["object"] not in self.records:
            raise ValueError(f"unsupported query: {soql[:200]}")
        fields = [f.strip() for f in match["fields"].split(",")]
        with self._lock:
            rows = [
                r for r in self.records[match["object"]].values() if include_deleted or not r["IsDeleted"]
            ]
        if match["since"]:
            since = parse_sf_datetime(match["since"])
            strict = match["op"] == ">"
            rows = [
                r
                for r in rows
                if (m := parse_sf_datetime(r["SystemModstamp"])) > since or (not strict and m == since)
            ]
        rows.sort(key=lambda r: (r["SystemModstamp"], r["Id"]))
        return match["object"], fields, rows

    def _batch(self, version: str, endpoint: str, shaped: list[dict[str, Any]], start: int) -> Response:
        end = start + BATCH_SIZE
        body: dict[str, Any] = {
            "totalSize": len(shaped),
            "done": end >= len(shaped),
            "records": shaped[start:end],
        }
        if end < len(shaped):
            locator = f"01g5g00000{uuid.uuid4().hex[:8]}"
            with self._lock:
                self._locators[locator] = (shaped, end)
            body["nextRecordsUrl"] = f"/services/data/v{version}/{endpoint}/{locator}-{end}"
        return Response(
            json.dumps(body, separators=(",", ":")),
            media_type="application/json;charset=UTF-8",
            headers=self._limit_header(),
        )

    async def _more(self, version: str, locator: str, request: Request) -> Response:
        if (denied := self._admit(request)) is not None:
            return denied
        key = locator.rsplit("-", 1)[0]
        with self._lock:
            state = self._locators.pop(key, None)
        if state is None:
            return _response(_errors(400, "INVALID_QUERY_LOCATOR", "invalid query locator"))
        endpoint = "queryAll" if "/queryAll/" in request.url.path else "query"
        return self._batch(version, endpoint, state[0], state[1])

    async def _create_job(self, version: str, request: Request) -> Response:
        if (denied := self._admit(request)) is not None:
            return denied
        spec = await request.json()
        try:
            sobject, fields, rows = self._select(spec.get("query", ""), spec.get("operation") == "queryAll")
        except ValueError as exc:
            return _response(_errors(400, "INVALIDJOB", str(exc)))
        job_id = f"7505g00000{next(self._counter):08d}"
        job = {
            "id": job_id,
            "operation": spec.get("operation", "query"),
            "object": sobject,
            "createdById": "0055g0000000001",
            "createdDate": sf_datetime(self._now()),
            "systemModstamp": sf_datetime(self._now()),
            "state": "JobComplete",
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(version),
            "lineEnding": "LF",
            "columnDelimiter": "COMMA",
            "numberRecordsProcessed": len(rows),
        }
        with self._lock:
            self._jobs[job_id] = {"info": job, "fields": fields, "rows": rows}
        return Response(
            json.dumps(
                {k: v for k, v in job.items() if k != "numberRecordsProcessed"} | {"state": "UploadComplete"}
            ),
            media_type="application/json",
            headers=self._limit_header(),
        )

    async def _job(self, version: str, job_id: str, request: Request) -> Response:
        if (denied := self._admit(request)) is not None:
            return denied
        job = self._jobs.get(job_id)
        if job is None:
            return _response(_errors(404, "NOT_FOUND", f"job {job_id} not found"))
        return Response(json.dumps(job["info"]), media_type="application/json", headers=self._limit_header())

    async def _results(self, version: str, job_id: str, request: Request) -> Response:
        if (denied := self._admit(request)) is not None:
            return denied
        job = self._jobs.get(job_id)
        if job is None:
            return _response(_errors(404, "NOT_FOUND", f"job {job_id} not found"))
        start = int(request.query_params.get("locator") or 0)
        size = int(request.query_params.get("maxRecords") or 50_000)
        rows = job["rows"][start : start + size]
        more = start + size < len(job["rows"])
        headers = {
            **self._limit_header(),
            "Sforce-Locator": str(start + size) if more else "null",
            "Sforce-NumberOfRecords": str(len(rows)),
        }
        return Response(
            _csv(job["fields"], rows, self.records["User"]), media_type="text/csv", headers=headers
        )


def _attributes(sobject: str, record_id: str, version: str) -> dict[str, str]:
    return {"type": sobject, "url": f"/services/data/v{version}/sobjects/{sobject}/{record_id}"}


def _shape(
    sobject: str,
    fields: list[str],
    record: Mapping[str, Any],
    version: str,
    users: Mapping[str, Mapping[str, Any]],
) -> dict[str, Any]:
    """A REST query row; ``Owner.Email`` becomes a nested ``Owner`` object as in the API."""
    out: dict[str, Any] = {"attributes": _attributes(sobject, record["Id"], version)}
    for field in fields:
        if field.startswith("Owner."):
            owner = users.get(record.get("OwnerId") or "")
            out["Owner"] = (
                None
                if owner is None
                else {
                    **out.get("Owner", {}),
                    "attributes": _attributes("User", owner["Id"], version),
                    field.split(".", 1)[1]: owner.get(field.split(".", 1)[1]),
                }
            )
        else:
            out[field] = record.get(field)
    return out


def _csv(fields: list[str], rows: list[dict[str, Any]], users: Mapping[str, Mapping[str, Any]]) -> str:
    """Bulk API 2.0 CSV: relationship fields as dotted columns, booleans lower-case."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow([_cell(row, f, users) for f in fields])
    return buffer.getvalue()


def _cell(row: Mapping[str, Any], field: str, users: Mapping[str, Mapping[str, Any]]) -> Any:
    if field.startswith("Owner."):
        value = (users.get(row.get("OwnerId") or "") or {}).get(field.split(".", 1)[1])
    else:
        value = row.get(field)
    if value is None:
        return ""
    return str(value).lower() if isinstance(value, bool) else value


def _response(error: ErrorResponse) -> Response:
    status, headers, body = error
    return Response(body, status_code=status, headers=headers)
