"""Build the columns rules read from a ledger and signals, as of a date.

Nothing after ``as_of`` is used: payments after it are ignored (an invoice paid later is
still open), promises, disputes and CRM observations count from the day they were made.
Account aggregates follow the metrics definitions in DESIGN.md and ``agent/metrics``
(``open_ar`` = balance of every issued invoice, unapplied credit notes included; ``dso`` =
open AR / credit sales of the 30 days ending ``as_of`` × 30, missing without sales;
``overdue_ar`` counts only invoices with a positive balance past due).

Optional frames, with the column names of the profile tables (``agent/profile/tables.py``)
and the demo book; accounts are keyed by ``customer_id`` (or ``account_id``), the ledger's
customer id; dates are datetime64:

* ``promises``: ``invoice_id, promised_date, amount, created_at`` (when it was made);
  promises on a whole balance (no invoice) are left out
* ``disputes``: ``invoice_id, opened_at, resolved_at`` (NaT while open); without it
  ``dispute.open`` is the ledger's ``disputed`` flag and ``dispute.age_days`` is missing
* ``signals``: CRM observations ``customer_id, kind, value, observed_at`` with kinds
  ``renewal_date`` (ISO date), ``open_tickets``, ``open_deals``, ``health_score`` (0-100),
  ``health`` (green | yellow | red), ``nps``; the latest of each kind on or before
  ``as_of`` counts
* ``accounts``: ``customer_id`` and any of ``name, segment, owner_email, credit_limit``
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from ledger.frame import Ledger
from rules.catalogue import SEGMENTS
from rules.expr.tokens import day_number
from rules.frame import ColumnFrame, History, day_numbers, missing_column
from rules.risk import RiskProvider
from rules.signals import CrmSignals, Disputes, Promises

DSO_PERIOD_DAYS = 30
RECENT_DAYS = 90
_OPEN_EPSILON = 0.005


@dataclass(frozen=True)
class EvaluationContext:
    """Open invoices and accounts as of one day."""

    as_of: date
    invoices: ColumnFrame
    accounts: ColumnFrame

    def frame(self, scope: str) -> ColumnFrame:
        """The rows a rule ``on: scope`` is evaluated over."""
        return self.accounts if scope == "account" else self.invoices


class _Book:
    """The ledger as numpy arrays, prepared once for many as-of days."""

    def __init__(self, ledger: Ledger, accounts: pd.DataFrame | None) -> None:
        inv = ledger.invoices
        self.invoice_ids = inv["invoice_id"].to_numpy(dtype=object)
        # The profile store keys the ledger by row id and keeps the source's number aside.
        numbers = inv["invoice_number"] if "invoice_number" in inv.columns else inv["invoice_id"]
        self.invoice_numbers = numbers.to_numpy(dtype=object)
        codes, customers = pd.factorize(inv["customer_id"])
        self.customer_code, self.customers = codes, np.asarray(customers, dtype=object)
        self.issue, self.due = day_numbers(inv["issue_date"]), day_numbers(inv["due_date"])
        self.paid = day_numbers(inv["paid_date"])
        self.amount = inv["amount"].to_numpy(dtype=float)
        self.currency = inv["currency"].to_numpy(dtype=object)
        self.terms = inv["terms_days"].to_numpy(dtype=float)
        self.disputed = inv["disputed"].to_numpy(dtype=bool)
        pay = ledger.payments.assign(
            _inv=pd.Index(inv["invoice_id"]).get_indexer(ledger.payments["invoice_id"])
        )
        pay = pay[pay["_inv"] >= 0].sort_values("paid_on", kind="stable")
        self.pay_invoice = pay["_inv"].to_numpy(dtype=np.int64)
        self.pay_day = day_numbers(pay["paid_on"])
        self.pay_amount = pay["amount"].to_numpy(dtype=float)
        self.first_issue = _per_customer_min(codes, self.issue, len(customers))
        self.static = _account_static(inv, codes, self.customers, accounts)


def _per_customer_min(codes: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    out = np.full(size, np.inf)
    np.minimum.at(out, codes, values)
    return out


def _account_static(
    inv: pd.DataFrame, codes: np.ndarray, customers: np.ndarray, accounts: pd.DataFrame | None
) -> dict[str, np.ndarray]:
    """Name, segment, owner and credit limit per customer: the accounts frame wins over invoices."""
    latest = inv.assign(_code=codes).sort_values("issue_date").groupby("_code").last()
    latest = latest.reindex(range(len(customers)))
    out = {
        "account.id": customers,
        "account.name": latest["customer_name"].to_numpy(dtype=object),
        "account.segment": _column_or_none(latest, "segment"),
        "account.owner": _column_or_none(latest, "owner_email"),
        "account.credit_limit": np.full(len(customers), np.nan),
    }
    if accounts is not None:
        given = accounts.drop_duplicates("customer_id", keep="last").set_index("customer_id")
        given = given.reindex(customers)
        for column, name in (
            ("name", "account.name"),
            ("segment", "account.segment"),
            ("owner", "account.owner"),
        ):
            if column in given.columns:
                out[name] = given[column].where(given[column].notna(), out[name]).to_numpy(dtype=object)
        if "credit_limit" in given.columns:
            out["account.credit_limit"] = given["credit_limit"].to_numpy(dtype=float)
    out["account.segment"] = _normalise_segment(out["account.segment"])
    return out


def _column_or_none(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column in frame.columns:
        return frame[column].astype(object).where(frame[column].notna(), None).to_numpy(dtype=object)
    return np.full(len(frame), None, dtype=object)


def _normalise_segment(values: np.ndarray) -> np.ndarray:
    """``Mid-Market`` -> ``mid_market``; values outside the enum stay (and match nothing)."""
    series = pd.Series(values, dtype=object)
    cleaned = series.str.lower().str.replace(r"[\s-]+", "_", regex=True)
    cleaned = cleaned.replace({"midmarket": "mid_market", "small_business": "smb"})
    return cleaned.where(cleaned.isin(SEGMENTS.values) | cleaned.notna(), None).to_numpy(dtype=object)


class ContextBuilder:
    """Builds (and caches) :class:`EvaluationContext` objects for any as-of day."""

    def __init__(
        self,
        ledger: Ledger,
        *,
        risk: RiskProvider | None = None,
        promises: pd.DataFrame | None = None,
        disputes: pd.DataFrame | None = None,
        signals: pd.DataFrame | None = None,
        accounts: pd.DataFrame | None = None,
    ) -> None:
        self.ledger = ledger
        self.risk = risk
        self.book = book = _Book(ledger, None if accounts is None else _by_customer(accounts))
        invoices, customers = pd.Index(book.invoice_ids), pd.Index(book.customers)
        self.promises = None if promises is None else Promises(promises, invoices)
        self.disputes = None if disputes is None else Disputes(disputes, invoices)
        self.signals = None if signals is None else CrmSignals(_by_customer(signals), customers)
        self._cache: dict[date, EvaluationContext] = {}

    def at(self, as_of: date) -> EvaluationContext:
        """The context as of ``as_of`` (cached: backtests and ``prev()`` reuse days)."""
        if as_of not in self._cache:
            self._cache[as_of] = self._build(as_of)
        return self._cache[as_of]

    def _history(self, as_of: date, scope: str) -> History:
        def past(days: int) -> ColumnFrame:
            return self.at(as_of - timedelta(days=days)).frame(scope)

        return past

    def _build(self, as_of: date) -> EvaluationContext:
        book, t = self.book, float(day_number(as_of))
        cut = int(np.searchsorted(book.pay_day, t, side="right"))
        paid_by = np.bincount(book.pay_invoice[:cut], book.pay_amount[:cut], minlength=len(book.amount))
        last_payment = _last_per(book.pay_invoice[:cut], book.pay_day[:cut], len(book.amount))
        open_amount = book.amount - paid_by
        is_open = (book.issue <= t) & (open_amount > _OPEN_EPSILON) & ~(book.paid <= t)
        accounts = self._account_columns(t, is_open, open_amount, cut)
        rows = np.flatnonzero(is_open)
        invoice_data = self._invoice_columns(t, rows, open_amount, last_payment)
        codes = book.customer_code[rows]
        invoice_data |= {name: values[codes] for name, values in accounts.items()}
        invoice_data |= self._risk_columns(as_of, book.invoice_ids[rows])
        invoice_data |= self._promise_columns(rows, t)
        invoice_data |= self._dispute_columns(rows, t)
        ids = {"invoice_id": book.invoice_ids[rows], "customer_id": book.customers[codes]}
        invoices = ColumnFrame(invoice_data, rows, as_of, self._history(as_of, "invoice"), ids)
        live = np.flatnonzero(book.first_issue <= t)
        account_frame = ColumnFrame(
            {name: values[live] for name, values in accounts.items()},
            live,
            as_of,
            self._history(as_of, "account"),
            {"customer_id": book.customers[live]},
        )
        return EvaluationContext(as_of, invoices, account_frame)

    def _invoice_columns(
        self, t: float, rows: np.ndarray, open_amount: np.ndarray, last_payment: np.ndarray
    ) -> dict[str, np.ndarray]:
        book = self.book
        due = book.due[rows]
        return {
            "invoice.number": book.invoice_numbers[rows],
            "invoice.currency": book.currency[rows],
            "invoice.amount": book.amount[rows],
            "invoice.amount_open": open_amount[rows],
            "invoice.value_percentile": _percentile(open_amount[rows]),
            "invoice.issue_date": book.issue[rows],
            "invoice.due_date": due,
            "invoice.days_past_due": np.maximum(t - due, 0.0),
            "invoice.days_to_due": due - t,
            "invoice.age_days": t - book.issue[rows],
            "invoice.terms_days": book.terms[rows],
            "invoice.disputed": book.disputed[rows],
            "invoice.last_payment_date": last_payment[rows],
        }

    def _account_columns(
        self, t: float, is_open: np.ndarray, open_amount: np.ndarray, cut: int
    ) -> dict[str, np.ndarray]:
        book = self.book
        size, codes = len(book.customers), book.customer_code
        # As agent/metrics: AR is every issued invoice's balance, unapplied credit notes included.
        balance = np.where(book.issue <= t, open_amount, 0.0)
        open_ar = np.bincount(codes, balance, minlength=size)
        overdue = is_open & (book.due < t)
        recent_sales = (book.issue <= t) & (book.issue > t - DSO_PERIOD_DAYS)
        sales = np.bincount(codes, np.where(recent_sales, book.amount, 0.0), minlength=size)
        settled = (book.paid <= t) & (book.paid > t - RECENT_DAYS)
        days_late = np.where(settled, np.maximum(book.paid - book.due, 0.0), 0.0)
        settled_count = np.bincount(codes, settled.astype(float), minlength=size)
        late_count = np.bincount(codes, (days_late > 0).astype(float), minlength=size)
        with np.errstate(divide="ignore", invalid="ignore"):
            columns = {
                "account.open_ar": open_ar,
                "account.overdue_ar": np.bincount(codes, np.where(overdue, open_amount, 0.0), minlength=size),
                "account.open_invoices": np.bincount(codes, is_open.astype(float), minlength=size),
                "account.dso": np.where(sales > 0, open_ar / sales * DSO_PERIOD_DAYS, np.nan),
                "account.late_rate_90d": np.where(settled_count > 0, late_count / settled_count, np.nan),
                "account.avg_days_late_90d": np.where(
                    settled_count > 0,
                    np.bincount(codes, days_late, minlength=size) / settled_count,
                    np.nan,
                ),
                "account.last_payment_date": _last_per(
                    codes[book.pay_invoice[:cut]], book.pay_day[:cut], size
                ),
            }
        return book.static | columns | self._crm_columns(t)

    def _crm_columns(self, t: float) -> dict[str, np.ndarray]:
        if self.signals is None:
            return _all_missing(_CRM_FIELDS, len(self.book.customers))
        return self.signals.columns(t)

    def _risk_columns(self, as_of: date, invoice_ids: np.ndarray) -> dict[str, np.ndarray]:
        if self.risk is None:
            return _all_missing(_RISK_FIELDS, len(invoice_ids))
        scores = self.risk(self.ledger, as_of).drop_duplicates("invoice_id").set_index("invoice_id")
        scores = scores.reindex(invoice_ids)
        return {
            "risk.p_late": scores["p_late"].to_numpy(dtype=float),
            "risk.expected_days_late": scores["expected_days_late"].to_numpy(dtype=float),
            "risk.reason": _column_or_none(scores, "reason"),
        }

    def _promise_columns(self, rows: np.ndarray, t: float) -> dict[str, np.ndarray]:
        if self.promises is None:
            return _all_missing(_PROMISE_FIELDS, len(rows))
        return self.promises.columns(t, rows, self._paid_between)

    def _paid_between(self, rows: np.ndarray, since: np.ndarray, t: float) -> np.ndarray:
        """Per row, payments on its invoice after ``since`` and on or before ``t``."""
        book = self.book
        position = np.full(len(book.amount), -1)
        position[rows] = np.arange(len(rows))
        at = position[book.pay_invoice]
        keep = (at >= 0) & (book.pay_day <= t)
        keep[keep] &= book.pay_day[keep] > since[at[keep]]
        return np.bincount(at[keep], book.pay_amount[keep], minlength=len(rows))

    def _dispute_columns(self, rows: np.ndarray, t: float) -> dict[str, np.ndarray]:
        if self.disputes is None:
            return {
                "dispute.open": self.book.disputed[rows],
                "dispute.age_days": np.full(len(rows), np.nan),
            }
        return self.disputes.columns(t, rows)


_CRM_FIELDS = (
    "crm.renewal_in_days",
    "crm.open_tickets",
    "crm.open_deals",
    "crm.nps",
    "crm.health_score",
    "crm.health",
)
_RISK_FIELDS = ("risk.p_late", "risk.expected_days_late", "risk.reason")
_PROMISE_FIELDS = ("promise.date", "promise.amount", "promise.days_since_promise", "promise.broken")


def _all_missing(names: tuple[str, ...], size: int) -> dict[str, np.ndarray]:
    return {name: missing_column(name, size) for name in names}


def _by_customer(frame: pd.DataFrame) -> pd.DataFrame:
    """Key account-level frames by the ledger's ``customer_id`` (profile frames say ``account_id``)."""
    if "customer_id" not in frame.columns and "account_id" in frame.columns:
        frame = frame.rename(columns={"account_id": "customer_id"})
    frame = frame.assign(customer_id=frame["customer_id"].astype(str))
    if "owner" not in frame.columns and "owner_email" in frame.columns:
        frame = frame.rename(columns={"owner_email": "owner"})
    return frame


def _percentile(values: np.ndarray) -> np.ndarray:
    """Share of the other values strictly below each value (ties share the lower rank)."""
    if len(values) < 2:
        return np.zeros(len(values))
    ordered = np.sort(values)
    return np.searchsorted(ordered, values, side="left") / (len(values) - 1)


def _last_per(index: np.ndarray, days: np.ndarray, size: int) -> np.ndarray:
    out = np.full(size, -np.inf)
    np.maximum.at(out, index, days)
    out[np.isneginf(out)] = np.nan
    return out
