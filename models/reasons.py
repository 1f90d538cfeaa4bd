"""Reason codes: why an invoice scored as it did, in words a CSM reads at a glance.

Features are grouped by what a person would name ("payment history", "this invoice is
disputed", "other invoices overdue"...). A group's effect on one score is the change in
P(late) when the group's features are set to a typical customer's values (the training
medians): one extra batch prediction per group for all rows at once, an ablation that
is cheap, vectorised and honest about the model actually used. The groups that move the
score most, either way, are phrased with the invoice's own numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from models.estimator import RiskModel
from models.features import RECENT

GROUPS: dict[str, tuple[str, ...]] = {
    "history": (
        "prior_invoices",
        "hist_settled",
        "hist_late_rate",
        "hist_late_rate_smoothed",
        "hist_late_rate_recent",
        "last5_settled",
        "last5_late",
        "hist_mean_days_late",
        "hist_max_days_late",
        "last5_mean_days_late",
        "hist_mean_days_to_pay",
        "hist_std_days_to_pay",
        "hist_mean_pay_vs_due",
        "last5_mean_pay_vs_due",
        "hist_mean_pay_vs_due_undisputed",
        "hist_dispute_rate",
        "days_since_last_settled",
        "population_late_rate",
        "peer_late_rate",
        "peer_mean_days_late",
    ),
    "trend": ("trend_days_late",),
    "disputed": ("disputed",),
    "amount": ("amount", "log_amount", "amount_vs_usual"),
    "balance": ("open_invoices", "open_amount", "overdue_invoices", "overdue_amount"),
    "promises": ("broken_promises",),
    "disputes": ("open_disputes",),
    "renewal": ("renewal_in_days",),
    "tickets": ("open_tickets",),
    "health": ("health_score",),
    "channel": ("delivery_channel",),
}
TOP_REASONS = 3
MIN_EFFECT = 0.01  # a group that moves P(late) by less than a point is not a reason
CHUNK_ROWS = 20_000


class Row:
    """One row's values read from feature columns, without copying them."""

    __slots__ = ("columns", "i")

    def __init__(self, columns: Mapping[str, Any], i: int) -> None:
        self.columns, self.i = columns, i

    def __getitem__(self, name: str) -> Any:
        return self.columns[name][self.i]


def _missing(*values: Any) -> bool:
    return any(value is None or value != value for value in values)  # NaN != NaN


def group_effects(
    model: RiskModel, matrix: np.ndarray, p_late: np.ndarray, *, fast: bool = False
) -> tuple[list[str], np.ndarray]:
    """Names of the groups the model uses and each one's effect on each row's P(late)."""
    position = {name: j for j, name in enumerate(model.features)}
    groups = {
        group: [position[name] for name in members if name in position] for group, members in GROUPS.items()
    }
    groups = {group: columns for group, columns in groups.items() if columns}
    effects = np.zeros((len(matrix), len(groups)))
    if groups:
        for start in range(0, len(matrix), CHUNK_ROWS):
            rows = slice(start, start + CHUNK_ROWS)
            effects[rows] = _chunk_effects(model, matrix[rows], p_late[rows], list(groups.values()), fast)
    return list(groups), effects


def _chunk_effects(
    model: RiskModel, matrix: np.ndarray, p_late: np.ndarray, groups: list[list[int]], fast: bool
) -> np.ndarray:
    """All ablated copies of a chunk stacked and scored in one call.

    One call per group would pay the per-call overhead again for every group; chunks
    keep the stacked copies (groups × rows × features) to a bounded size.
    """
    stacked = np.tile(matrix, (len(groups), 1))
    for g, columns in enumerate(groups):
        block = slice(g * len(matrix), (g + 1) * len(matrix))
        stacked[block, columns] = [model.reference[model.features[j]] for j in columns]
    ablated = (model.fast_p_late if fast else model.p_late)(stacked)
    return p_late[:, None] - ablated.reshape(len(groups), len(matrix)).T


def top_reasons(
    names: list[str],
    effects: np.ndarray,
    columns: Mapping[str, Any],
    rows: np.ndarray,
    *,
    top: int = TOP_REASONS,
) -> list[list[str]]:
    """The ``top`` strongest reasons for each of ``rows`` (indices into ``columns``).

    ``effects`` has one line per entry of ``rows``. A group with nothing to say for a
    row (its values are unknown) is skipped in favour of the next strongest. Groups that
    move P(late) by less than :data:`MIN_EFFECT` are left out, except that every row gets
    its strongest group phrased (a served baseline may use one group only).
    """
    order = np.argsort(-np.abs(effects), axis=1)
    out = []
    for line, i in enumerate(rows):
        row, reasons = Row(columns, int(i)), list[str]()
        for j in order[line]:
            if len(reasons) == top or (reasons and abs(effects[line, j]) < MIN_EFFECT):
                break
            if (text := PHRASES[names[j]](row, bool(effects[line, j] > 0))) is not None:
                reasons.append(text)
        out.append(reasons)
    return out


def _plural(count: float, word: str) -> str:
    number = round(count)
    return f"{number} {word}" if number == 1 else f"{number} {word}s"


def _history(row: Row, raises: bool) -> str:
    settled = row["hist_settled"]
    if not settled:
        return "new customer: no payment history"
    recent, late = int(row["last5_settled"]), int(row["last5_late"])
    if late:
        average = row["last5_mean_days_late"] * recent / late
        return f"paid {late} of the last {recent} invoices late, {average:.0f} days on average"
    if raises and row["hist_late_rate"] > 0:
        return f"paid {row['hist_late_rate'] * settled:.0f} of {settled:.0f} past invoices late"
    return "paid the last invoice on time" if recent == 1 else f"paid the last {recent} invoices on time"


def _trend(row: Row, raises: bool) -> str | None:
    if _missing(row["trend_days_late"]):
        return None
    recent, trend = row["last5_mean_days_late"], row["trend_days_late"]
    if round(trend) == 0:
        return None
    older = recent - trend
    word = "later" if trend > 0 else "earlier"
    return (
        f"paying {word} lately: {recent:.0f} days late on average over the last "
        f"{RECENT} invoices vs {older:.0f} before"
    )


def _disputed(row: Row, raises: bool) -> str:
    return "invoice is disputed" if row["disputed"] else "invoice is not disputed"


def _amount(row: Row, raises: bool) -> str:
    ratio = row["amount_vs_usual"]
    if ratio != ratio:  # NaN: no earlier invoice to compare with
        return f"first invoice for this customer ({row['amount']:,.0f})"
    if 0.8 <= ratio <= 1.25:
        return "amount is in line with this customer's usual"
    return f"amount is {ratio:.1f}× this customer's usual"


def _balance(row: Row, raises: bool) -> str:
    if row["overdue_invoices"] > 0:
        count, amount = row["overdue_invoices"], row["overdue_amount"]
        return f"{_plural(count, 'other invoice')} overdue ({amount:,.0f})"
    if row["open_invoices"] > 0:
        count, amount = row["open_invoices"], row["open_amount"]
        return f"{_plural(count, 'other invoice')} open ({amount:,.0f}), none overdue"
    return "no other open invoices"


def _promises(row: Row, raises: bool) -> str | None:
    if _missing(row["broken_promises"]):
        return None
    broken = row["broken_promises"]
    return f"broke {_plural(broken, 'promise')} to pay" if broken > 0 else "no broken promises to pay"


def _disputes(row: Row, raises: bool) -> str | None:
    if _missing(row["open_disputes"]):
        return None
    count = row["open_disputes"]
    return f"{_plural(count, 'open dispute')} with this customer" if count > 0 else "no open disputes"


def _renewal(row: Row, raises: bool) -> str | None:
    if _missing(row["renewal_in_days"]):
        return None
    days = row["renewal_in_days"]
    return (
        f"contract renewal in {days:.0f} days" if days >= 0 else f"contract renewal was {-days:.0f} days ago"
    )


def _tickets(row: Row, raises: bool) -> str | None:
    if _missing(row["open_tickets"]):
        return None
    return f"{_plural(row['open_tickets'], 'open support ticket')}"


def _health(row: Row, raises: bool) -> str | None:
    if _missing(row["health_score"]):
        return None
    return f"CRM health score is {row['health_score']:.0f}"


def _channel(row: Row, raises: bool) -> str | None:
    if _missing(row["delivery_channel"]):
        return None
    return f"invoice delivery: {str(row['delivery_channel']).lower()}"


PHRASES: dict[str, Callable[[Row, bool], str | None]] = {
    "history": _history,
    "trend": _trend,
    "disputed": _disputed,
    "amount": _amount,
    "balance": _balance,
    "promises": _promises,
    "disputes": _disputes,
    "renewal": _renewal,
    "tickets": _tickets,
    "health": _health,
    "channel": _channel,
}
