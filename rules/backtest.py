"""Replay rules day by day over a ledger, as of each day, and score what they would have raised.

An alert opens on the first day its key (rule, customer, invoice) fires, and again if
it fires after a day off. Scoring looks at what happened next (it may use the future;
firing never does): an invoice alert is a hit when the invoice was paid after its due
date, or is still unpaid past its due date when the data ends; an account alert is a
hit when one of the account's invoices not yet due that day ends that way (invoices
already overdue would make any account alert look right). ``lead_days`` is how
long before the due date an alert fired, or, when it fired after the due date, before
the payment (for an account alert: before the first upcoming invoice that ended late fell
due).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from rules.context import ContextBuilder
from rules.engine import AlertKey, hits
from rules.loader import RuleSet


@dataclass(frozen=True)
class Opened:
    """An alert the replay opened."""

    rule: str
    customer_id: str
    invoice_id: str | None
    first_date: date


def replay(
    rules: RuleSet, builder: ContextBuilder, start: date, end: date
) -> tuple[list[Opened], list[dict[str, Any]]]:
    """Alerts opened over ``start..end`` (inclusive) and per-day counts."""
    opened: list[Opened] = []
    per_day: list[dict[str, Any]] = []
    previous: set[AlertKey] = set()
    day = start
    while day <= end:
        frame = hits(rules, builder.at(day))
        keys = set(zip(frame["rule"], frame["customer_id"], frame["invoice_id"], strict=True))
        new = sorted(keys - previous, key=lambda k: (k[0], k[1], k[2] or ""))
        opened.extend(Opened(rule, customer, invoice, day) for rule, customer, invoice in new)
        per_day.append({"date": day.isoformat(), "opened": len(new), "firing": len(keys)})
        previous = keys
        day += timedelta(days=1)
    return opened, per_day


def backtest(rules: RuleSet, builder: ContextBuilder, start: date, end: date) -> dict[str, Any]:
    """The full report: alerts, per-day and per-owner counts, precision and lead days."""
    opened, per_day = replay(rules, builder, start, end)
    scored = _score(opened, builder)
    owners = _owners(builder)
    per_owner = Counter(owners.get(alert.customer_id) or "unassigned" for alert in opened)
    per_rule = {
        rule.name: _summary(scored[scored["rule"] == rule.name]) for rule in rules if rule.spec.enabled
    }
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "days": len(per_day),
        "alerts": [
            {
                "rule": a.rule,
                "customer_id": a.customer_id,
                "invoice_id": a.invoice_id,
                "first_date": a.first_date.isoformat(),
            }
            for a in opened
        ],
        "per_day": per_day,
        "per_owner": dict(sorted(per_owner.items())),
        **_summary(scored),
        "base_rate": _base_rate(builder, start, end),
        "per_rule": per_rule,
    }


def _owners(builder: ContextBuilder) -> dict[str, str | None]:
    static = builder.book.static
    return dict(zip(static["account.id"], static["account.owner"], strict=True))


def _score(opened: list[Opened], builder: ContextBuilder) -> pd.DataFrame:
    """Per alert: whether a late payment followed (NaN when unknown) and the lead days."""
    invoices = builder.ledger.invoices.set_index("invoice_id")
    data_end = pd.concat([invoices["paid_date"], invoices["issue_date"]]).max()
    late = _invoice_outcome(invoices, data_end)
    due, paid = invoices["due_date"].to_dict(), invoices["paid_date"].to_dict()
    rows = []
    for alert in opened:
        fired = pd.Timestamp(alert.first_date)
        if alert.invoice_id is not None:
            outcome = late.get(alert.invoice_id, np.nan)
            lead = _lead_days(due[alert.invoice_id], paid[alert.invoice_id], fired)
        else:
            outcome, lead = _account_outcome(builder, alert, late)
        rows.append({"rule": alert.rule, "late": outcome, "lead_days": lead})
    return pd.DataFrame(rows, columns=["rule", "late", "lead_days"])


def _invoice_outcome(invoices: pd.DataFrame, data_end: pd.Timestamp) -> pd.Series:
    paid_late = invoices["paid_date"] > invoices["due_date"]
    unpaid = invoices["paid_date"].isna()
    outcome = paid_late.astype(float)
    outcome[unpaid] = np.where(invoices.loc[unpaid, "due_date"] < data_end, 1.0, np.nan)
    return outcome


def _base_rate(builder: ContextBuilder, start: date, end: date) -> float | None:
    """Share of invoices due in the window that were paid late: the bar precision must beat."""
    invoices = builder.ledger.invoices.set_index("invoice_id")
    data_end = pd.concat([invoices["paid_date"], invoices["issue_date"]]).max()
    due = invoices["due_date"].between(pd.Timestamp(start), pd.Timestamp(end))
    known = _invoice_outcome(invoices[due], data_end).dropna()
    return float(known.mean()) if len(known) else None


def _lead_days(due: pd.Timestamp, paid: pd.Timestamp, fired: pd.Timestamp) -> float:
    if due > fired:
        return float((due - fired).days)
    if pd.notna(paid):
        return float((paid - fired).days)
    return np.nan


def _account_outcome(builder: ContextBuilder, alert: Opened, late: pd.Series) -> tuple[float, float]:
    """Hit or not, and days until the first upcoming invoice that ended late fell due."""
    frame = builder.at(alert.first_date).invoices
    to_due = frame.column("invoice.days_to_due")
    upcoming = (frame.ids["customer_id"] == alert.customer_id) & (to_due >= 0)
    outcomes = late.reindex(frame.ids["invoice_id"][upcoming]).to_numpy()
    known = ~np.isnan(outcomes)
    if not known.any():
        return np.nan, np.nan
    hits = outcomes == 1.0
    lead = float(to_due[upcoming][hits].min()) if hits.any() else np.nan
    return float(hits.any()), lead


def _summary(scored: pd.DataFrame) -> dict[str, Any]:
    known = scored["late"].dropna()
    lead = scored["lead_days"].dropna()
    return {
        "alert_count": len(scored),
        "scored": len(known),
        "precision": float(known.mean()) if len(known) else None,
        "lead_days": {
            "median": float(lead.median()) if len(lead) else None,
            "mean": float(lead.mean()) if len(lead) else None,
        },
    }
