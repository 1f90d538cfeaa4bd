"""Read invoice CSV files row by row into good :class:`InvoiceRow` and bad :class:`Reject`.

A bad row never stops the good ones; each reject names its line in the file (the header
is line 1) and what is wrong with it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from connectors.csv.cells import unguard
from connectors.csv.columns import REQUIRED_FIELDS
from connectors.csv.mapping import Mapping
from ledger.frame import Ledger, normalise_invoices

CURRENCY_LENGTH = 3


class UnreadableFileError(ValueError):
    """The file as a whole cannot be read (missing, not CSV, required columns absent)."""


class RowError(ValueError):
    """One field of one row is wrong; the message names the field."""


@dataclass(frozen=True)
class InvoiceRow:
    """One valid invoice from a file."""

    line: int
    invoice_id: str
    customer_id: str
    customer_name: str
    issue_date: date
    due_date: date
    amount: Decimal
    currency: str
    paid_date: date | None
    amount_paid: Decimal
    disputed: bool
    terms_days: int
    customer_domain: str | None = None
    owner_email: str | None = None
    paid_partially_on: date | None = None
    segment: str | None = None
    delivery_channel: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class Reject:
    """A row that was not loaded: where it is, why, and the raw values to fix."""

    line: int
    error: str
    raw: dict[str, str] = field(default_factory=dict)


@dataclass
class ReadResult:
    """Everything read from one file."""

    rows: list[InvoiceRow]
    rejects: list[Reject]
    header: list[str]

    def to_ledger(self) -> Ledger:
        """The good rows as a :class:`Ledger`."""
        return Ledger.from_invoices(rows_to_frame(self.rows))


def read_invoices(path: Path, mapping: Mapping) -> ReadResult:
    """Read ``path`` with ``mapping``; raise :class:`UnreadableFileError` if it cannot be read."""
    try:
        handle = path.open(newline="", encoding=mapping.encoding)
    except OSError as exc:
        raise UnreadableFileError(f"{path}: cannot open: {exc.strerror}") from None
    with handle:
        try:
            return _read(handle, path, mapping)
        except (UnicodeDecodeError, csv.Error) as exc:
            raise UnreadableFileError(f"{path}: not a readable CSV file: {exc}") from None


def _read(handle: Iterator[str], path: Path, mapping: Mapping) -> ReadResult:
    reader = csv.reader(handle, delimiter=mapping.delimiter)
    header = next(reader, None)
    if not header:
        raise UnreadableFileError(f"{path}: the file is empty (no header line)")
    header = [name.strip() for name in header]
    absent = [
        f"{name} (column '{mapping.source_column(name)}')"
        for name in REQUIRED_FIELDS
        if mapping.source_column(name) not in header and name not in mapping.defaults
    ]
    if absent:
        raise UnreadableFileError(
            f"{path}: line 1: missing required column(s): {', '.join(absent)}; header is: {', '.join(header)}"
        )
    parser = _RowParser(mapping, header)
    rows: list[InvoiceRow] = []
    rejects: list[Reject] = []
    first_seen: dict[str, int] = {}
    line = 1
    for values in reader:
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue
        values = [unguard(value) for value in values]
        raw = dict(zip(header, values, strict=False))
        try:
            if len(values) != len(header):
                raise RowError(f"expected {len(header)} fields, found {len(values)}")
            _refuse_nul(raw)
            row = parser.parse(line, raw)
        except RowError as exc:
            rejects.append(Reject(line=line, error=str(exc), raw=raw))
            continue
        if row.invoice_id in first_seen:
            rejects.append(
                Reject(
                    line=line,
                    error=f"invoice_id: duplicate '{row.invoice_id}' "
                    f"(first seen on line {first_seen[row.invoice_id]})",
                    raw=raw,
                )
            )
            continue
        first_seen[row.invoice_id] = line
        rows.append(row)
    return ReadResult(rows=rows, rejects=rejects, header=header)


def _refuse_nul(raw: dict[str, str]) -> None:
    """No text of Nudge's may hold NUL (PostgreSQL refuses it): the row is rejected."""
    for column, value in raw.items():
        if "\x00" in value:
            raise RowError(f"{column}: contains a NUL character")


class _RowParser:
    """Turns a raw row (header -> text) into an :class:`InvoiceRow` or raises :class:`RowError`."""

    def __init__(self, mapping: Mapping, header: list[str]) -> None:
        self.mapping = mapping
        self.header = set(header)
        self.true_values = {value.lower() for value in mapping.true_values}
        self.false_values = {value.lower() for value in mapping.false_values}

    def text(self, raw: dict[str, str], name: str) -> str:
        column = self.mapping.source_column(name)
        value = raw.get(column, "").strip() if column in self.header else ""
        return value or self.mapping.defaults.get(name, "").strip()

    def required(self, raw: dict[str, str], name: str) -> str:
        value = self.text(raw, name)
        if not value:
            raise RowError(f"{name}: missing value")
        return value

    def parse_date(self, raw: dict[str, str], name: str, *, required: bool = False) -> date | None:
        value = self.required(raw, name) if required else self.text(raw, name)
        if not value:
            return None
        for fmt in self.mapping.date_formats:
            try:
                return datetime.strptime(value, fmt).date()
            except ValueError:
                continue
        formats = " or ".join(self.mapping.date_formats)
        raise RowError(f"{name}: '{value}' is not a date in the format {formats}")

    def decimal(self, raw: dict[str, str], name: str, *, required: bool = False) -> Decimal | None:
        value = self.required(raw, name) if required else self.text(raw, name)
        if not value:
            return None
        cleaned = value.replace(",", "").replace("$", "").replace(" ", "")
        try:
            number = Decimal(cleaned)
        except InvalidOperation:
            raise RowError(f"{name}: '{value}' is not a number") from None
        if not number.is_finite():
            raise RowError(f"{name}: '{value}' is not a finite number")
        return number

    def boolean(self, raw: dict[str, str], name: str) -> bool:
        value = self.text(raw, name).lower()
        if value in self.true_values:
            return True
        if value in self.false_values:
            return False
        raise RowError(f"{name}: '{value}' is not true/false")

    def parse(self, line: int, raw: dict[str, str]) -> InvoiceRow:
        invoice_id = self.required(raw, "invoice_id")
        customer_id = self.required(raw, "customer_id")
        issue_date = self.parse_date(raw, "issue_date", required=True)
        assert issue_date is not None
        amount = self.decimal(raw, "amount", required=True)
        assert amount is not None
        due_date, terms_days = self._due_and_terms(raw, issue_date)
        currency = (self.text(raw, "currency") or "USD").upper()
        if len(currency) != CURRENCY_LENGTH or not currency.isalpha():
            raise RowError(f"currency: '{currency}' is not a 3-letter ISO code")
        paid_date = self.parse_date(raw, "paid_date")
        if paid_date is not None and paid_date < issue_date:
            raise RowError(f"paid_date: {paid_date} is before issue_date {issue_date}")
        amount_paid = self._amount_paid(raw, amount, paid_date)
        return InvoiceRow(
            line=line,
            invoice_id=invoice_id,
            customer_id=customer_id,
            customer_name=self.text(raw, "customer_name") or customer_id,
            issue_date=issue_date,
            due_date=due_date,
            amount=amount,
            currency=currency,
            paid_date=paid_date,
            amount_paid=amount_paid,
            disputed=self.boolean(raw, "disputed"),
            terms_days=terms_days,
            customer_domain=self.text(raw, "customer_domain").lower() or None,
            owner_email=self.text(raw, "owner_email").lower() or None,
            paid_partially_on=self.parse_date(raw, "paid_partially_on"),
            segment=self.text(raw, "segment") or None,
            delivery_channel=self.text(raw, "delivery_channel") or None,
            country=self.text(raw, "country") or None,
        )

    def _due_and_terms(self, raw: dict[str, str], issue_date: date) -> tuple[date, int]:
        due_date = self.parse_date(raw, "due_date")
        terms_text = self.text(raw, "terms_days")
        terms: int | None = None
        if terms_text:
            try:
                terms = int(terms_text)
            except ValueError:
                raise RowError(f"terms_days: '{terms_text}' is not a whole number of days") from None
            if terms < 0:
                raise RowError(f"terms_days: {terms} is negative")
        if due_date is None:
            if terms is None:
                raise RowError("due_date: missing value (and no terms_days to derive it)")
            due_date = issue_date + timedelta(days=terms)
        if due_date < issue_date:
            raise RowError(f"due_date: {due_date} is before issue_date {issue_date}")
        return due_date, terms if terms is not None else (due_date - issue_date).days

    def _amount_paid(self, raw: dict[str, str], amount: Decimal, paid_date: date | None) -> Decimal:
        paid = self.decimal(raw, "amount_paid")
        if paid is None:
            return amount if paid_date is not None else Decimal(0)
        if abs(paid) > abs(amount):
            raise RowError(f"amount_paid: {paid} is more than the invoice amount {amount}")
        if paid_date is not None and paid != amount:
            raise RowError(
                f"amount_paid: {paid} differs from amount {amount} although paid_date is set "
                "(leave paid_date empty while a balance is open)"
            )
        return paid


def rows_to_frame(rows: list[InvoiceRow]) -> pd.DataFrame:
    """Good rows as a ledger invoice frame (contract dtypes)."""
    columns = [name for name in InvoiceRow.__dataclass_fields__ if name != "line"]
    frame = pd.DataFrame([[getattr(row, name) for name in columns] for row in rows], columns=columns)
    for name in ("amount", "amount_paid"):
        frame[name] = frame[name].astype(float)
    optional = (
        "customer_domain",
        "owner_email",
        "paid_partially_on",
        "segment",
        "delivery_channel",
        "country",
    )
    empty_optional = [name for name in optional if frame[name].isna().all()]
    return normalise_invoices(frame.drop(columns=empty_optional))
