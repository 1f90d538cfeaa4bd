"""As-of features for invoices: the invoice itself plus the customer's history known at a date.

A row is scored *at* a date: its issue date for training rows, the as-of date for open
invoices. History only counts what was known strictly before that date: invoices settled
before it (late or not, how late, how fast), invoices issued before it and not settled
before it (open and overdue balance), promises whose date had passed, disputes opened
and not yet resolved, and the latest CRM snapshot. :class:`HistoryIndex` sorts all of
that once; :func:`compute_features` then answers any number of rows with vectorised
look-ups, so one invoice costs microseconds and a million cost seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from ledger.frame import Ledger
from ledger.late import shrunk_mean
from models.asof import EventIndex, day_numbers
from models.frames import OptionalFrames

CATEGORICAL: tuple[str, ...] = ("delivery_channel", "country", "segment")
INVOICE_FEATURES: tuple[str, ...] = (
    "amount",
    "log_amount",
    "terms_days",
    "disputed",
    "issue_month",
    "issue_dow",
    "prior_invoices",
    "amount_vs_usual",
    "days_since_prior_invoice",
    *CATEGORICAL,
)
HISTORY_FEATURES: tuple[str, ...] = (
    "hist_settled",
    "hist_late_rate",
    "hist_late_rate_smoothed",
    "hist_late_rate_recent",
    "last5_settled",
    "last5_late",
    "hist_mean_days_late",
    "hist_max_days_late",
    "last5_mean_days_late",
    "trend_days_late",
    "hist_mean_days_to_pay",
    "hist_std_days_to_pay",
    "hist_mean_pay_vs_due",
    "last5_mean_pay_vs_due",
    "hist_mean_pay_vs_due_undisputed",
    "hist_dispute_rate",
    "days_since_last_settled",
    "open_invoices",
    "open_amount",
    "overdue_invoices",
    "overdue_amount",
    "population_late_rate",
    "peer_late_rate",
    "peer_mean_days_late",
    "broken_promises",
    "open_disputes",
    "renewal_in_days",
    "open_tickets",
    "health_score",
)
FEATURES: tuple[str, ...] = INVOICE_FEATURES + HISTORY_FEATURES

RECENT = 5  # "the last five invoices" a CSM reads in a reason
_RECENCY_DAYS = 120.0  # e-folding time of the recency-weighted late rate
_RECENCY_REF_DAY = 20_000  # a fixed origin keeps the weights independent of the data
_PRIOR_WEIGHT = 2.0
# Peers: invoices of the same segment, terms band and amount band. Their late rate is
# shrunk towards the whole book's with this many pseudo-invoices, so a thin cell says
# little and a new customer's prior is its peers', not a coin flip.
_PEER_WEIGHT = 20.0
_TERMS_BANDS = np.array([15.5, 30.5, 45.5, 60.5])  # <=15, 16-30, 31-45, 46-60, >60 days
_AMOUNT_BANDS = 12  # half-decades of the amount: 1-3, 3-10, 10-31, ... up to 10^6
_SMALL_BATCH = 64  # pseudo-invoices of the population rate in the smoothed rate


@dataclass(frozen=True)
class InvoiceRows:
    """The invoice columns features need, as arrays (one entry per row to score)."""

    customer_id: np.ndarray
    issue_day: np.ndarray
    due_day: np.ndarray
    paid_day: np.ndarray  # float, NaN while open
    amount: np.ndarray
    disputed: np.ndarray
    terms_days: np.ndarray
    categories: dict[str, np.ndarray]

    @classmethod
    def from_frame(cls, invoices: pd.DataFrame) -> InvoiceRows:
        """Take the columns from ledger-shaped invoices (optional columns may be absent)."""
        paid = invoices["paid_date"]
        paid_day = np.full(len(invoices), np.nan)
        settled = paid.notna().to_numpy()
        paid_day[settled] = day_numbers(paid[settled])
        return cls(
            customer_id=invoices["customer_id"].astype(str).to_numpy(),
            issue_day=day_numbers(invoices["issue_date"]),
            due_day=day_numbers(invoices["due_date"]),
            paid_day=paid_day,
            amount=invoices["amount"].to_numpy(dtype=float),
            disputed=invoices["disputed"].to_numpy(dtype=float),
            terms_days=invoices["terms_days"].to_numpy(dtype=float),
            categories={name: _category_values(invoices, name) for name in CATEGORICAL},
        )


def _category_values(invoices: pd.DataFrame, name: str) -> np.ndarray:
    if name not in invoices.columns:
        return np.full(len(invoices), None, dtype=object)
    values = invoices[name].astype(object)
    return values.where(values.notna(), None).to_numpy(dtype=object)


@dataclass(frozen=True)
class HistoryIndex:
    """Everything dated in a ledger and its optional frames, sorted for as-of look-ups."""

    customers: pd.Index
    segments: pd.Index
    issued: EventIndex
    settled: EventIndex
    due: EventIndex
    due_and_settled: EventIndex
    population: EventIndex
    peers: EventIndex
    book: EventIndex
    promises: EventIndex | None
    disputes_opened: EventIndex | None
    disputes_resolved: EventIndex | None
    signals: EventIndex | None

    @classmethod
    def build(cls, ledger: Ledger, frames: OptionalFrames | None = None) -> HistoryIndex:
        """Index a ledger (and promises, disputes, signals when given)."""
        frames = frames or OptionalFrames()
        rows = InvoiceRows.from_frame(ledger.invoices)
        codes, customer_names = pd.factorize(rows.customer_id)
        segment_codes, segment_names = pd.factorize(rows.categories["segment"].astype(str))
        customers, segments = pd.Index(customer_names), pd.Index(segment_names)
        settled = ~np.isnan(rows.paid_day)
        return cls(
            customers=customers,
            segments=segments,
            issued=_issued_index(rows, codes),
            settled=_settled_index(rows, codes, settled),
            due=EventIndex.build(codes, rows.due_day, {"amount": rows.amount}),
            due_and_settled=EventIndex.build(
                codes[settled],
                np.maximum(rows.due_day[settled], rows.paid_day[settled]).astype(np.int64),
                {"amount": rows.amount[settled]},
            ),
            population=_outcome_index(segment_codes, rows, settled),
            peers=_outcome_index(_peer_cells(segment_codes, rows), rows, settled),
            book=_outcome_index(np.zeros(len(codes), np.int64), rows, settled),
            promises=_promises_index(frames.promises, customers),
            disputes_opened=_dated_index(frames.disputes, customers, "opened_on"),
            disputes_resolved=_dated_index(frames.disputes, customers, "resolved_on"),
            signals=_signals_index(frames.signals, customers),
        )

    def customer_codes(self, customer_ids: np.ndarray) -> np.ndarray:
        """Code of each customer (-1 for a customer the ledger has never seen)."""
        if len(customer_ids) <= _SMALL_BATCH:
            return np.array([self._customer_lookup.get(c, -1) for c in customer_ids], np.int64)
        return _codes(self.customers, customer_ids)

    def segment_codes(self, segments: np.ndarray) -> np.ndarray:
        """Code of each segment (-1 for one the ledger has never seen)."""
        names = segments.astype(str)
        if len(names) <= _SMALL_BATCH:
            return np.array([self._segment_lookup.get(s, -1) for s in names], np.int64)
        return _codes(self.segments, names)

    @cached_property
    def _customer_lookup(self) -> dict[str, int]:
        # A dict beats pd.Index.get_indexer (~0.3 ms a call) for the API's single rows.
        return {name: code for code, name in enumerate(self.customers)}

    @cached_property
    def _segment_lookup(self) -> dict[str, int]:
        return {name: code for code, name in enumerate(self.segments)}


def _codes(index: pd.Index, values: np.ndarray) -> np.ndarray:
    """Position of each value in ``index`` (-1 when absent)."""
    return np.asarray(index.get_indexer(pd.Index(values)), dtype=np.int64)


def _issued_index(rows: InvoiceRows, codes: np.ndarray) -> EventIndex:
    log_amount = np.log1p(np.abs(rows.amount))
    return EventIndex.build(codes, rows.issue_day, {"amount": rows.amount, "log_amount": log_amount})


def _settled_index(rows: InvoiceRows, codes: np.ndarray, settled: np.ndarray) -> EventIndex:
    paid = rows.paid_day[settled]
    pay_vs_due = paid - rows.due_day[settled]
    days_late = np.maximum(pay_vs_due, 0.0)
    days_to_pay = paid - rows.issue_day[settled]
    late = (days_late > 0).astype(float)
    weight = np.exp((paid - _RECENCY_REF_DAY) / _RECENCY_DAYS)
    undisputed = 1.0 - rows.disputed[settled]
    values = {
        "amount": rows.amount[settled],
        "late": late,
        "days_late": days_late,
        "days_to_pay": days_to_pay,
        "days_to_pay_sq": days_to_pay**2,
        "pay_vs_due": pay_vs_due,
        "undisputed": undisputed,
        "undisputed_pay_vs_due": undisputed * pay_vs_due,
        "disputed": rows.disputed[settled],
        "weight": weight,
        "weighted_late": weight * late,
    }
    return EventIndex.build(codes[settled], paid.astype(np.int64), values, running_max=("days_late",))


def _peer_cells(segment_codes: np.ndarray, rows: InvoiceRows) -> np.ndarray:
    """Peer cell of each row: (segment, terms band, amount band) as one code."""
    segment = segment_codes.astype(np.int64) + 1  # a segment the ledger has never seen -> 0
    terms = np.searchsorted(_TERMS_BANDS, np.nan_to_num(rows.terms_days, nan=30.0))
    amount = np.clip(np.floor(2 * np.log10(np.abs(rows.amount) + 1)), 0, _AMOUNT_BANDS - 1).astype(np.int64)
    return (segment * (len(_TERMS_BANDS) + 1) + terms) * _AMOUNT_BANDS + amount


def _outcome_index(codes: np.ndarray, rows: InvoiceRows, settled: np.ndarray) -> EventIndex:
    """Late outcomes and days late of settled invoices, grouped by ``codes``, dated by payment."""
    days_late = np.maximum(rows.paid_day[settled] - rows.due_day[settled], 0.0)
    values = {"late": (days_late > 0).astype(float), "days_late": days_late}
    return EventIndex.build(codes[settled], rows.paid_day[settled].astype(np.int64), values, aggregate=True)


def _promises_index(frame: pd.DataFrame | None, customers: pd.Index) -> EventIndex | None:
    if frame is None:
        return None
    promised = frame["promised_for"]
    # Kept on or before the promised date is a kept promise; anything else is broken
    # once the promised date has passed, whatever happened afterwards.
    broken = ~(frame["kept_on"].notna() & (frame["kept_on"] <= promised))
    codes = _codes(customers, frame["customer_id"].to_numpy())
    return EventIndex.build(codes, day_numbers(promised), {"broken": broken.to_numpy(dtype=float)})


def _dated_index(frame: pd.DataFrame | None, customers: pd.Index, column: str) -> EventIndex | None:
    if frame is None:
        return None
    dated = frame[frame[column].notna()]
    codes = _codes(customers, dated["customer_id"].to_numpy())
    return EventIndex.build(codes, day_numbers(dated[column]), {})


def _signals_index(frame: pd.DataFrame | None, customers: pd.Index) -> EventIndex | None:
    if frame is None:
        return None
    codes = _codes(customers, frame["customer_id"].to_numpy())
    renewal = frame["renewal_date"]
    renewal_day = np.full(len(frame), np.nan)
    renewal_day[renewal.notna().to_numpy()] = day_numbers(renewal[renewal.notna()])
    values = {
        "renewal_day": renewal_day,
        "open_tickets": frame["open_tickets"].to_numpy(dtype=float),
        "health_score": frame["health_score"].to_numpy(dtype=float),
    }
    return EventIndex.build(codes, day_numbers(frame["observed_on"]), values, keep=tuple(values))


def compute_features(
    index: HistoryIndex, rows: InvoiceRows, at_day: np.ndarray | int
) -> dict[str, np.ndarray]:
    """Features of each row as known strictly before its ``at_day`` (days since 1970)."""
    codes = index.customer_codes(rows.customer_id)
    at_day = np.broadcast_to(np.asarray(at_day, dtype=np.int64), codes.shape)
    out = _invoice_features(index, rows, codes)
    out.update(_history_features(index, codes, at_day))
    out.update(_balance_features(index, rows, codes, at_day))
    segments = index.segment_codes(rows.categories["segment"])
    out["population_late_rate"] = _population_rate(index, segments, at_day)
    out.update(_peer_features(index, rows, segments, at_day))
    out["hist_late_rate_smoothed"] = _smoothed_rate(out)
    out.update(_crm_features(index, codes, at_day))
    return out


def _smoothed_rate(out: dict[str, np.ndarray]) -> np.ndarray:
    """The customer's late rate shrunk towards its peers': a new customer gets the prior."""
    late = np.nan_to_num(out["hist_late_rate"] * out["hist_settled"], nan=0.0)
    prior = np.where(
        np.isnan(out["peer_late_rate"]),
        np.nan_to_num(out["population_late_rate"], nan=0.5),
        out["peer_late_rate"],
    )
    return shrunk_mean(late, out["hist_settled"], prior, _PRIOR_WEIGHT)


def _invoice_features(index: HistoryIndex, rows: InvoiceRows, codes: np.ndarray) -> dict[str, np.ndarray]:
    issue = rows.issue_day.astype("datetime64[D]")
    months = issue.astype("datetime64[M]").astype(np.int64) % 12 + 1
    # 1970-01-01 was a Thursday: shift so Monday is 0.
    dow = (rows.issue_day + 3) % 7
    # "Usual" is the geometric mean of the customer's earlier invoices: like a median it
    # is not dragged by one huge invoice, and unlike a running median it is a running sum.
    pos = index.issued.last_before(codes, rows.issue_day)
    prior = index.issued.count(pos)
    with np.errstate(invalid="ignore", divide="ignore"):
        usual_log = index.issued.total("log_amount", pos) / prior
        usual = np.expm1(usual_log)
        ratio = np.where(prior > 0, np.abs(rows.amount) / np.maximum(usual, 0.01), np.nan)
    out: dict[str, np.ndarray] = {
        "amount": rows.amount,
        "log_amount": np.log1p(np.abs(rows.amount)),
        "terms_days": rows.terms_days,
        "disputed": rows.disputed,
        "issue_month": months.astype(float),
        "issue_dow": dow.astype(float),
        "prior_invoices": prior,
        "amount_vs_usual": ratio,
        "days_since_prior_invoice": rows.issue_day - index.issued.day(pos),
    }
    for name in CATEGORICAL:
        out[name] = rows.categories[name]
    return out


def _history_features(index: HistoryIndex, codes: np.ndarray, at_day: np.ndarray) -> dict[str, np.ndarray]:
    ev = index.settled
    pos = ev.last_before(codes, at_day)
    n = ev.count(pos)
    last_n = np.minimum(n, RECENT)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = {name: ev.total(name, pos) / n for name in ("late", "days_late", "days_to_pay", "pay_vs_due")}
        recent_days_late = ev.total_last("days_late", pos, RECENT) / last_n
        older_n = n - last_n
        older_days_late = (ev.total("days_late", pos) - ev.total_last("days_late", pos, RECENT)) / older_n
        variance = ev.total("days_to_pay_sq", pos) / n - mean["days_to_pay"] ** 2
        undisputed = ev.total("undisputed", pos)
        return {
            "hist_settled": n,
            "hist_late_rate": mean["late"],
            "hist_late_rate_recent": ev.total("weighted_late", pos) / ev.total("weight", pos),
            "last5_settled": last_n,
            "last5_late": ev.total_last("late", pos, RECENT),
            "hist_mean_days_late": mean["days_late"],
            "hist_max_days_late": ev.running_max("days_late", pos),
            "last5_mean_days_late": recent_days_late,
            "trend_days_late": np.where(older_n > 0, recent_days_late - older_days_late, np.nan),
            "hist_mean_days_to_pay": mean["days_to_pay"],
            "hist_std_days_to_pay": np.sqrt(np.maximum(variance, 0.0)),
            "hist_mean_pay_vs_due": mean["pay_vs_due"],
            "last5_mean_pay_vs_due": ev.total_last("pay_vs_due", pos, RECENT) / last_n,
            "hist_mean_pay_vs_due_undisputed": np.where(
                undisputed > 0, ev.total("undisputed_pay_vs_due", pos) / undisputed, np.nan
            ),
            "hist_dispute_rate": ev.total("disputed", pos) / n,
            "days_since_last_settled": at_day - ev.day(pos),
        }


def _balance_features(
    index: HistoryIndex, rows: InvoiceRows, codes: np.ndarray, at_day: np.ndarray
) -> dict[str, np.ndarray]:
    """Open and overdue balance at the date, not counting the row's own invoice."""
    settled_before = rows.paid_day < at_day  # NaN (open) compares False
    self_open = ((rows.issue_day < at_day) & ~settled_before).astype(float)
    self_overdue = ((rows.due_day < at_day) & ~settled_before).astype(float)
    issued = index.issued.last_before(codes, at_day)
    settled = index.settled.last_before(codes, at_day)
    due = index.due.last_before(codes, at_day)
    done = index.due_and_settled.last_before(codes, at_day)
    return {
        "open_invoices": index.issued.count(issued) - index.settled.count(settled) - self_open,
        "open_amount": index.issued.total("amount", issued)
        - index.settled.total("amount", settled)
        - self_open * rows.amount,
        "overdue_invoices": index.due.count(due) - index.due_and_settled.count(done) - self_overdue,
        "overdue_amount": index.due.total("amount", due)
        - index.due_and_settled.total("amount", done)
        - self_overdue * rows.amount,
    }


def _population_rate(index: HistoryIndex, segments: np.ndarray, at_day: np.ndarray) -> np.ndarray:
    """Late rate of the row's segment (all its invoices settled before the date)."""
    pos = index.population.last_before(segments, at_day)
    n = index.population.count(pos)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, index.population.total("late", pos) / n, np.nan)


def _peer_features(
    index: HistoryIndex, rows: InvoiceRows, segments: np.ndarray, at_day: np.ndarray
) -> dict[str, np.ndarray]:
    """Late rate and mean days late of the row's peers, shrunk towards the book's (NaN before any)."""
    book = index.book.last_before(np.zeros(len(at_day), np.int64), at_day)
    cells = _peer_cells(segments, rows)
    peers = index.peers.last_before(cells, at_day)
    book_n = index.book.count(book)
    with np.errstate(invalid="ignore", divide="ignore"):
        book_rate = np.where(book_n > 0, index.book.total("late", book) / book_n, np.nan)
        book_days = np.where(book_n > 0, index.book.total("days_late", book) / book_n, np.nan)
    n = index.peers.count(peers)
    return {
        "peer_late_rate": shrunk_mean(index.peers.total("late", peers), n, book_rate, _PEER_WEIGHT),
        "peer_mean_days_late": shrunk_mean(index.peers.total("days_late", peers), n, book_days, _PEER_WEIGHT),
    }


def _crm_features(index: HistoryIndex, codes: np.ndarray, at_day: np.ndarray) -> dict[str, np.ndarray]:
    missing = np.full(len(codes), np.nan)
    out = dict.fromkeys(("broken_promises", "open_disputes", "renewal_in_days"), missing)
    out.update(open_tickets=missing, health_score=missing)
    if index.promises is not None:
        out["broken_promises"] = index.promises.total("broken", index.promises.last_before(codes, at_day))
    if index.disputes_opened is not None and index.disputes_resolved is not None:
        opened = index.disputes_opened.count(index.disputes_opened.last_before(codes, at_day))
        resolved = index.disputes_resolved.count(index.disputes_resolved.last_before(codes, at_day))
        out["open_disputes"] = opened - resolved
    if index.signals is not None:
        pos = index.signals.last_before(codes, at_day)
        out["renewal_in_days"] = index.signals.value("renewal_day", pos) - at_day
        out["open_tickets"] = index.signals.value("open_tickets", pos)
        out["health_score"] = index.signals.value("health_score", pos)
    return out


def training_features(ledger: Ledger, frames: OptionalFrames | None = None) -> pd.DataFrame:
    """Features of every invoice as of its own issue date (training and evaluation rows)."""
    index = HistoryIndex.build(ledger, frames)
    rows = InvoiceRows.from_frame(ledger.invoices)
    return features_frame(compute_features(index, rows, rows.issue_day), ledger.invoices)


def features_frame(columns: dict[str, np.ndarray], invoices: pd.DataFrame) -> pd.DataFrame:
    """Feature columns in :data:`FEATURES` order, indexed like ``invoices``."""
    return pd.DataFrame({name: columns[name] for name in FEATURES}, index=invoices.index)
