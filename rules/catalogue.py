"""The field catalogue: every name a rule may use, its type, where it exists and what it means.

``on: invoice`` rules see one row per open invoice and may use every namespace;
``on: account`` rules see one row per account and may use ``account.*`` and ``crm.*``.
Dates are evaluated as day numbers, so ``date - date`` is ``days``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """The kinds of values an expression can produce."""

    NUMBER = "number"
    MONEY = "money"
    DAYS = "days"
    BOOL = "bool"
    STRING = "string"
    DATE = "date"
    ENUM = "enum"
    NULL = "null"


NUMERIC = frozenset({Kind.NUMBER, Kind.MONEY, Kind.DAYS})
TEXTUAL = frozenset({Kind.STRING, Kind.ENUM})


@dataclass(frozen=True)
class Type:
    """A value type; enums carry their allowed values."""

    kind: Kind
    values: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.kind.value


NUMBER, MONEY, DAYS = Type(Kind.NUMBER), Type(Kind.MONEY), Type(Kind.DAYS)
BOOL, STRING, DATE, NULL = Type(Kind.BOOL), Type(Kind.STRING), Type(Kind.DATE), Type(Kind.NULL)


def enum(*values: str) -> Type:
    """An enum type with these values."""
    return Type(Kind.ENUM, values)


@dataclass(frozen=True)
class Field:
    """One catalogue entry."""

    name: str
    type: Type
    doc: str
    account_scope: bool

    @property
    def namespace(self) -> str:
        return self.name.split(".", 1)[0]


SEGMENTS = enum("enterprise", "mid_market", "smb")
HEALTH = enum("green", "yellow", "red")

_INVOICE_ONLY: list[tuple[str, Type, str]] = [
    ("invoice.number", STRING, "the invoice number (invoice id in the source)"),
    ("invoice.currency", STRING, "ISO 4217 currency code"),
    ("invoice.amount", MONEY, "invoiced amount"),
    ("invoice.amount_open", MONEY, "balance still open as of the evaluation date"),
    (
        "invoice.value_percentile",
        NUMBER,
        "share of the book's open invoices with a smaller open balance (0-1): size-free 'large'",
    ),
    ("invoice.issue_date", DATE, "date the invoice was issued"),
    ("invoice.due_date", DATE, "date the invoice is due"),
    ("invoice.days_past_due", DAYS, "days since the due date (0 while not yet due)"),
    ("invoice.days_to_due", DAYS, "days until the due date (negative once overdue)"),
    ("invoice.age_days", DAYS, "days since the invoice was issued"),
    ("invoice.terms_days", DAYS, "payment terms in days"),
    ("invoice.disputed", BOOL, "the source marks the invoice as disputed"),
    ("invoice.last_payment_date", DATE, "last payment received on the invoice (null if none)"),
    ("risk.p_late", NUMBER, "probability the invoice is paid late (0-1)"),
    ("risk.expected_days_late", DAYS, "expected days late if late"),
    ("risk.reason", STRING, "why the risk is what it is, in words"),
    ("promise.date", DATE, "date the customer promised to pay by (null if no promise)"),
    ("promise.amount", MONEY, "amount promised"),
    ("promise.days_since_promise", DAYS, "days since the promised date (negative before it)"),
    ("promise.broken", BOOL, "the promised date passed without the promised amount arriving"),
    ("dispute.open", BOOL, "a dispute on the invoice is open"),
    ("dispute.age_days", DAYS, "days the open dispute has been open (null if none)"),
]
_ACCOUNT: list[tuple[str, Type, str]] = [
    ("account.id", STRING, "the account's id in the source"),
    ("account.name", STRING, "account name"),
    ("account.segment", SEGMENTS, "customer segment"),
    ("account.owner", STRING, "email of the account owner (null if unassigned)"),
    ("account.open_ar", MONEY, "open receivables of the account"),
    ("account.overdue_ar", MONEY, "open receivables past their due date"),
    ("account.dso", DAYS, "open AR / credit sales of the last 30 days × 30"),
    ("account.credit_limit", MONEY, "credit limit (null if none)"),
    ("account.open_invoices", NUMBER, "number of open invoices"),
    ("account.late_rate_90d", NUMBER, "share of invoices paid in the last 90 days that were late"),
    ("account.avg_days_late_90d", DAYS, "mean days late of invoices paid in the last 90 days"),
    ("account.last_payment_date", DATE, "last payment received from the account"),
    ("crm.renewal_in_days", DAYS, "days until the contract renews (null if unknown)"),
    ("crm.open_tickets", NUMBER, "open support tickets"),
    ("crm.health", HEALTH, "customer health from the CRM (from health_score: 70+ green, 40+ yellow)"),
    ("crm.health_score", NUMBER, "customer health score from the CRM (0-100)"),
    ("crm.nps", NUMBER, "latest net promoter score answer (0-10)"),
    ("crm.open_deals", NUMBER, "open deals (upsell, renewal) in the CRM"),
]

CATALOGUE: dict[str, Field] = {
    name: Field(name, type_, doc, account_scope=False) for name, type_, doc in _INVOICE_ONLY
} | {name: Field(name, type_, doc, account_scope=True) for name, type_, doc in _ACCOUNT}
NAMESPACES: frozenset[str] = frozenset(field.namespace for field in CATALOGUE.values())
SCOPES: tuple[str, ...] = ("invoice", "account")


def fields_for(scope: str) -> dict[str, Field]:
    """The fields a rule ``on: scope`` may use."""
    if scope == "account":
        return {name: field for name, field in CATALOGUE.items() if field.account_scope}
    return dict(CATALOGUE)


def suggest(name: str, candidates: list[str] | tuple[str, ...]) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or nothing."""
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
