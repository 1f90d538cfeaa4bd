"""What each rule kind means, as expressions of the rule language.

Each kind yields conditions (AST plus the YAML key an error should point at) that are
type-checked and compiled exactly like ``when:``; a rule fires where all of them hold.
"""

from __future__ import annotations

from collections.abc import Mapping

from rules.catalogue import DAYS, NUMBER, NUMERIC, Kind
from rules.catalogue import Field as CatalogueField
from rules.errors import RuleError
from rules.expr.ast import Binary, Call, Field, Literal, Node, Today, Unary
from rules.schema import AbsenceRule, ChangeRule, PreDueRule, RuleBase

Condition = tuple[Node, tuple[str, ...]]
# The YAML key an error in a kind's condition points at.
KIND_KEYS: dict[str, tuple[str, ...]] = {
    "change": ("change", "field"),
    "absence": ("absence", "after"),
    "pre_due": ("pre_due",),
}


def kind_conditions(spec: RuleBase, fields: Mapping[str, CatalogueField]) -> list[Condition]:
    """The conditions a rule's kind adds to its optional ``when``."""
    if isinstance(spec, ChangeRule):
        return [(_change(spec, fields), KIND_KEYS["change"])]
    if isinstance(spec, AbsenceRule):
        return [(_absence(spec, fields), KIND_KEYS["absence"])]
    if isinstance(spec, PreDueRule):
        return [(_pre_due(spec), KIND_KEYS["pre_due"])]
    return []


def _number(value: float) -> Literal:
    return Literal(float(value), NUMBER, 0)


def _change(spec: ChangeRule, fields: Mapping[str, CatalogueField]) -> Node:
    change = spec.change
    known = fields.get(change.field)
    if known is not None and known.type.kind not in NUMERIC:
        raise RuleError(
            f"change.field must be a number, money or days field, not '{change.field}' ({known.type})",
            offset=0,
        )
    now = Field(change.field, 0)
    before = Call("prev", (now, Literal(float(change.over), DAYS, 0)), 0)
    delta = Binary("-", now, before, 0) if change.direction == "up" else Binary("-", before, now, 0)
    if change.by is not None:
        return Binary(">=", delta, _number(change.by), 0)
    relative = Binary("*", Binary("/", delta, Call("abs", (before,), 0), 0), _number(100), 0)
    return Binary(">=", relative, _number(change.pct or 0), 0)


def _absence(spec: AbsenceRule, fields: Mapping[str, CatalogueField]) -> Node:
    absence = spec.absence
    known = fields.get(absence.after)
    if known is not None and known.type.kind != Kind.DATE:
        raise RuleError(f"absence.after must be a date field, not '{absence.after}' ({known.type})", offset=0)
    after = Field(absence.after, 0)
    last_payment = Field(f"{spec.on}.last_payment_date", 0)
    deadline = Binary("+", after, Literal(float(absence.grace), DAYS, 0), 0)
    paid_since = Binary(">=", last_payment, after, 0)
    return Binary("and", Binary(">=", Today(0), deadline, 0), Unary("not", paid_since, 0), 0)


def _pre_due(spec: PreDueRule) -> Node:
    to_due = Field("invoice.days_to_due", 0)
    window = Binary(
        "and",
        Binary(">=", to_due, _number(0), 0),
        Binary("<=", to_due, Literal(float(spec.pre_due.within), DAYS, 0), 0),
        0,
    )
    risky = Binary(">=", Field("risk.p_late", 0), _number(spec.pre_due.min_p_late), 0)
    return Binary("and", window, risky, 0)
