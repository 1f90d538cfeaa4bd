"""Dated side data (promises, disputes, CRM observations) prepared once for as-of lookups.

Each frame is turned into numpy arrays sorted by the date each row became known, so the
state on any day is a prefix of the rows and "the latest row per invoice (or account)"
is one ``maximum.at`` over that prefix: no pandas work per evaluated day.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from rules.frame import day_numbers

SIGNAL_KINDS = ("renewal_date", "open_tickets", "open_deals", "nps", "health_score", "health")
# health_score thresholds for the green / yellow / red health enum
HEALTH_GREEN, HEALTH_YELLOW = 70.0, 40.0


class Timeline:
    """Rows that each concern one target (a ledger row or an account) from a given day on."""

    def __init__(self, target: np.ndarray, when: np.ndarray) -> None:
        known = ~np.isnan(when) & (target >= 0)
        rows = np.flatnonzero(known)
        order = rows[np.argsort(when[rows], kind="stable")]
        self.order, self.target, self.when = order, target[order], when[order]

    def latest(self, t: float, size: int) -> np.ndarray:
        """Per target, the original row of its latest entry known on day ``t`` (-1 if none)."""
        count = int(np.searchsorted(self.when, t, side="right"))
        last = np.full(size, -1, dtype=np.int64)
        if count == 0:
            return last
        np.maximum.at(last, self.target[:count], np.arange(count))
        return np.where(last >= 0, self.order[np.maximum(last, 0)], -1)


def _take(values: np.ndarray, index: np.ndarray, missing: object = np.nan) -> np.ndarray:
    """``values[index]`` with ``missing`` where ``index`` is -1."""
    if not len(values):
        return np.full(len(index), missing, dtype=float if missing is not None else object)
    out = values[np.maximum(index, 0)]
    out[index < 0] = missing
    return out


class Promises:
    """Promises to pay an invoice: ``invoice_id, promised_date, amount, created_at``."""

    def __init__(self, frame: pd.DataFrame, invoices: pd.Index) -> None:
        target = invoices.get_indexer(pd.Index(frame["invoice_id"].astype(object)))
        self.timeline = Timeline(target, day_numbers(pd.to_datetime(frame["created_at"])))
        self.made = day_numbers(pd.to_datetime(frame["created_at"]))
        self.promised = day_numbers(pd.to_datetime(frame["promised_date"]))
        self.amount = pd.to_numeric(frame["amount"], errors="coerce").to_numpy(dtype=float)
        self.size = len(invoices)

    def columns(
        self, t: float, rows: np.ndarray, paid_between: Callable[[np.ndarray, np.ndarray, float], np.ndarray]
    ) -> dict[str, np.ndarray]:
        """The latest promise made on or before day ``t`` for each open ledger row."""
        index = self.timeline.latest(t, self.size)[rows]
        promised, amount = _take(self.promised, index), _take(self.amount, index)
        paid_since = paid_between(rows, _take(self.made, index), t)
        return {
            "promise.date": promised,
            "promise.amount": amount,
            "promise.days_since_promise": t - promised,
            "promise.broken": (promised < t) & ~(paid_since >= np.nan_to_num(amount, nan=np.inf)),
        }


class Disputes:
    """Disputes on invoices: ``invoice_id, opened_at, resolved_at``."""

    def __init__(self, frame: pd.DataFrame, invoices: pd.Index) -> None:
        target = invoices.get_indexer(pd.Index(frame["invoice_id"].astype(object)))
        self.opened = day_numbers(pd.to_datetime(frame["opened_at"]))
        self.resolved = day_numbers(pd.to_datetime(frame["resolved_at"]))
        self.timeline = Timeline(target, self.opened)
        self.size = len(invoices)

    def columns(self, t: float, rows: np.ndarray) -> dict[str, np.ndarray]:
        """Whether the latest dispute opened by day ``t`` is still open, and its age."""
        index = self.timeline.latest(t, self.size)[rows]
        opened, resolved = _take(self.opened, index), _take(self.resolved, index)
        is_open = (opened <= t) & ~(resolved <= t)
        return {"dispute.open": is_open, "dispute.age_days": np.where(is_open, t - opened, np.nan)}


class CrmSignals:
    """CRM observations in long form: ``customer_id, kind, value, observed_at``."""

    def __init__(self, frame: pd.DataFrame, customers: pd.Index) -> None:
        self.size = len(customers)
        self.kinds: dict[str, tuple[Timeline, np.ndarray]] = {}
        observed = day_numbers(pd.to_datetime(frame["observed_at"]))
        target = customers.get_indexer(pd.Index(frame["customer_id"].astype(str)))
        for kind in SIGNAL_KINDS:
            mine = (frame["kind"] == kind).to_numpy()
            values = frame.loc[mine, "value"]
            if kind == "renewal_date":
                parsed = day_numbers(pd.to_datetime(values, errors="coerce"))
            elif kind == "health":
                parsed = values.astype(object).to_numpy()
            else:
                parsed = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
            self.kinds[kind] = (Timeline(target[mine], observed[mine]), parsed)

    def latest(self, kind: str, t: float) -> np.ndarray:
        timeline, values = self.kinds[kind]
        return _take(values, timeline.latest(t, self.size), None if kind == "health" else np.nan)

    def columns(self, t: float) -> dict[str, np.ndarray]:
        """Per account, the latest observation of each kind on or before day ``t``."""
        score = self.latest("health_score", t)
        return {
            "crm.renewal_in_days": self.latest("renewal_date", t) - t,
            "crm.open_tickets": self.latest("open_tickets", t),
            "crm.open_deals": self.latest("open_deals", t),
            "crm.nps": self.latest("nps", t),
            "crm.health_score": score,
            "crm.health": _health(self.latest("health", t), score),
        }


def _health(given: np.ndarray, score: np.ndarray) -> np.ndarray:
    """The CRM's own health word where it gives one, else one derived from the score."""
    derived = np.where(score >= HEALTH_GREEN, "green", np.where(score >= HEALTH_YELLOW, "yellow", "red"))
    out = derived.astype(object)
    out[np.isnan(score)] = None
    has_word = pd.notna(given)
    out[has_word] = given[has_word]
    return out
