"""Rule file schema: one pydantic model per rule kind, chosen by ``kind`` (default ``threshold``).

Unknown keys are refused. Each kind adds its own block; ``change``, ``absence`` and
``pre_due`` are compiled to expressions of the same language as ``when`` (see
:mod:`rules.kinds`), and an optional ``when`` narrows any kind further.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

Severity = Literal["info", "low", "medium", "high", "critical"]
_DURATION = re.compile(r"^(\d+)([dw])$")


def _duration_days(value: object) -> int:
    """``7d`` -> 7, ``2w`` -> 14; plain integers are days."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    match = _DURATION.match(str(value).strip())
    if not match:
        raise ValueError(f"'{value}' is not a duration (write it like 7d or 2w)")
    return int(match.group(1)) * (7 if match.group(2) == "w" else 1)


Duration = Annotated[int, BeforeValidator(_duration_days)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleBase(_Strict):
    """Keys every rule has."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)
    description: str = ""
    on: Literal["invoice", "account"] = "invoice"
    when: str | None = None
    severity: Severity = "medium"
    labels: dict[str, str] = Field(default_factory=dict)
    message: str
    enabled: bool = True


class ThresholdRule(RuleBase):
    """Fires while ``when`` is true."""

    kind: Literal["threshold"] = "threshold"
    when: str


class ChangeSpec(_Strict):
    """How much a numeric field moved over a period: an absolute ``by`` or a ``pct``."""

    field: str
    over: Duration
    by: float | None = None
    pct: float | None = None
    direction: Literal["up", "down"] = "up"

    @model_validator(mode="after")
    def _one_amount(self) -> ChangeSpec:
        if (self.by is None) == (self.pct is None):
            raise ValueError("give exactly one of 'by' (absolute) or 'pct' (percent)")
        if self.over < 1:
            raise ValueError("'over' must be at least 1d")
        return self


class ChangeRule(RuleBase):
    """Fires when a field rose (or fell) by at least ``by`` / ``pct`` % over ``over``."""

    kind: Literal["change"]
    change: ChangeSpec


class AbsenceSpec(_Strict):
    """No ``of`` event within ``grace`` after the date in field ``after``."""

    of: Literal["payment"] = "payment"
    after: str
    grace: Duration = 0


class AbsenceRule(RuleBase):
    """Fires when an expected event did not happen (a broken promise to pay)."""

    kind: Literal["absence"]
    absence: AbsenceSpec


class PreDueSpec(_Strict):
    """Due within ``within`` days with a late-payment probability of at least ``min_p_late``."""

    within: Duration
    min_p_late: float = Field(default=0.5, ge=0, le=1)


class PreDueRule(RuleBase):
    """Fires before the due date on invoices likely to be paid late."""

    kind: Literal["pre_due"]
    on: Literal["invoice"] = "invoice"
    pre_due: PreDueSpec


RuleSpec = ThresholdRule | ChangeRule | AbsenceRule | PreDueRule
RULE_KINDS: dict[str, type[RuleBase]] = {
    "threshold": ThresholdRule,
    "change": ChangeRule,
    "absence": AbsenceRule,
    "pre_due": PreDueRule,
}
