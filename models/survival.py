"""Time to payment of invoices already past due: a discrete-time hazard over days late.

For the book's late invoices, ``hazard[t]`` is the share paid on day ``t`` past due among
those still unpaid after ``t - 1`` days (Kaplan-Meier style: an invoice still open is
censored at its days overdue, not counted as paid). Days with fewer than
:data:`MIN_AT_RISK` invoices still unpaid are pooled into one constant tail hazard, so
the curve never claims a precision the book lacks, and the tail is memoryless.

Given an invoice unpaid ``d`` days past due, the curve answers the two questions a scored
overdue invoice needs: how many more days until it is paid on average
(``E[D - d | D > d]``, at least one day: it is unpaid at the end of the as-of day) and
how likely it is to be still unpaid ``n`` days from now (``P(D > d + n | D > d)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

HORIZON = 365  # days past due covered day by day; beyond it the tail hazard applies
MIN_AT_RISK = 20
DEFAULT_TAIL_HAZARD = 1 / 14  # a book with no late history: paid on average two weeks on
_HAZARD_BOUNDS = (1e-3, 0.95)


@dataclass(frozen=True)
class PayCurve:
    """Daily hazard of payment by days past due (index 0 unused) and the tail hazard."""

    hazard: np.ndarray
    tail_hazard: float

    @classmethod
    def fit(cls, invoices: pd.DataFrame) -> PayCurve:
        """Hazard from the book's invoices that went past due (paid late or still open)."""
        end = max(invoices["issue_date"].max(), invoices["paid_date"].max())
        paid = invoices["paid_date"].notna().to_numpy()
        until = invoices["paid_date"].where(paid, end)
        days = (until - invoices["due_date"]).dt.days.to_numpy(dtype=float)
        late = days > 0
        return cls.from_durations(days[late].astype(np.int64), paid[late])

    @classmethod
    def from_durations(cls, days_late: np.ndarray, paid: np.ndarray) -> PayCurve:
        """Hazard from days late (``paid``) or days overdue so far (still open: censored)."""
        if not paid.any():
            return cls(np.full(HORIZON + 1, DEFAULT_TAIL_HAZARD), DEFAULT_TAIL_HAZARD)
        capped = np.minimum(days_late, HORIZON + 1)
        events = np.bincount(capped[paid], minlength=HORIZON + 2)[: HORIZON + 1].astype(float)
        leaving = np.bincount(capped, minlength=HORIZON + 2).astype(float)
        at_risk = leaving[::-1].cumsum()[::-1][: HORIZON + 1]  # still unpaid at the start of day t
        thin = at_risk < MIN_AT_RISK
        thin[0] = False
        first_thin = int(np.argmax(thin)) if thin.any() else HORIZON + 1
        tail_events = events[first_thin:].sum() + (paid & (days_late > HORIZON)).sum()
        exposure = np.minimum(days_late, 10 * HORIZON) - first_thin + 1
        tail_exposure = exposure[exposure > 0].sum()
        tail = float(tail_events / tail_exposure) if tail_events > 0 else DEFAULT_TAIL_HAZARD
        with np.errstate(invalid="ignore", divide="ignore"):
            hazard = np.where(thin | (at_risk == 0), tail, events / at_risk)
        return cls(np.clip(hazard, *_HAZARD_BOUNDS), float(np.clip(tail, *_HAZARD_BOUNDS)))

    @classmethod
    def from_card(cls, card: dict[str, Any] | None) -> PayCurve:
        """The curve stored in a model card (the default curve for cards without one)."""
        if not card:
            return cls.from_durations(np.zeros(0, np.int64), np.zeros(0, bool))
        return cls(np.asarray(card["hazard"], dtype=float), float(card["tail_hazard"]))

    def to_card(self) -> dict[str, Any]:
        """The curve as JSON-ready numbers."""
        return {"hazard": [round(float(h), 6) for h in self.hazard], "tail_hazard": self.tail_hazard}

    def _log_survival(self, days: np.ndarray) -> np.ndarray:
        """``log P(D > t)`` for each ``t`` (days past due), the tail extended geometrically."""
        cumulative = np.concatenate(([0.0], np.cumsum(np.log1p(-self.hazard[1:]))))
        within = np.minimum(days, HORIZON).astype(np.int64)
        beyond = np.maximum(days - HORIZON, 0)
        return cumulative[within] + beyond * np.log1p(-self.tail_hazard)

    def still_unpaid(self, overdue: np.ndarray, more_days: int) -> np.ndarray:
        """P(not paid within ``more_days`` more days | unpaid ``overdue`` days past due)."""
        overdue = np.asarray(overdue, dtype=float)
        return np.exp(self._log_survival(overdue + more_days) - self._log_survival(overdue))

    def expected_more_days(self, overdue: np.ndarray) -> np.ndarray:
        """E[days until paid | unpaid ``overdue`` days past due] (at least 1)."""
        overdue = np.asarray(overdue, dtype=float)
        grid = np.arange(HORIZON + 1)
        survival = np.exp(self._log_survival(grid))
        tail_sum = survival[HORIZON] * (1 - self.tail_hazard) / self.tail_hazard
        suffix = survival[::-1].cumsum()[::-1] + tail_sum  # sum of P(D > t) for t >= d
        within = np.minimum(overdue, HORIZON).astype(np.int64)
        more = np.where(overdue <= HORIZON, suffix[within] / survival[within], 1 / self.tail_hazard)
        return np.maximum(more, 1.0)
