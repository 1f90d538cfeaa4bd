"""Type-check an expression against the field catalogue and compile it to vectorised numpy.

Checking happens once, when a rule loads; the result is a tree of closures that each
take the whole column set, so evaluation costs a few numpy calls per node, never a
Python step per row.

Null semantics: numbers, money, days and dates are float arrays with NaN for missing,
text is an object array with None. Arithmetic with a missing value is missing; **any
comparison with a missing value is false** (``!=`` and ``not in`` too); ``is_null(x)``,
``x == null`` and ``coalesce(x, y)`` test or replace missing values. Booleans are never
missing (a boolean field without data is false). Division by zero is missing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

from rules.catalogue import (
    BOOL,
    CATALOGUE,
    DATE,
    DAYS,
    NUMBER,
    NUMERIC,
    TEXTUAL,
    Kind,
    Type,
    suggest,
)
from rules.catalogue import (
    Field as CatalogueField,
)
from rules.errors import RuleError
from rules.expr.ast import Binary, Call, Field, In, Literal, Node, Today, Unary, start
from rules.expr.parser import COMPARISONS, parse


class Columns(Protocol):
    """What compiled expressions read: one array per field, all of ``size`` rows."""

    @property
    def size(self) -> int: ...

    @property
    def today(self) -> float: ...

    def column(self, name: str) -> np.ndarray: ...

    def previous(self, name: str, days: int) -> np.ndarray: ...


Fn = Callable[[Columns], Any]


@dataclass(frozen=True)
class Compiled:
    """A checked expression: its type, its vectorised function and what it reads."""

    type: Type
    fn: Fn
    fields: frozenset[str]
    lookbacks: frozenset[tuple[str, int]]

    def mask(self, columns: Columns) -> np.ndarray:
        """Evaluate a boolean expression to one bool per row."""
        with np.errstate(all="ignore"):
            result = np.asarray(self.fn(columns), dtype=bool)
        return np.broadcast_to(result, (columns.size,))


def compile_condition(text: str, fields: Mapping[str, CatalogueField], scope: str) -> Compiled:
    """Parse and compile a ``when:`` text that must be true/false."""
    node = parse(text)
    compiled = compile_expression(node, fields, scope)
    if compiled.type != BOOL:
        raise RuleError(f"the condition must be true or false, not {compiled.type}", offset=0)
    return compiled


def compile_expression(node: Node, fields: Mapping[str, CatalogueField], scope: str) -> Compiled:
    """Type-check ``node`` against ``fields`` and compile it."""
    compiler = _Compiler(fields, scope)
    typed = compiler.visit(node)
    return Compiled(typed.type, typed.fn, frozenset(compiler.used), frozenset(compiler.lookbacks))


@dataclass(frozen=True)
class _Typed:
    type: Type
    fn: Fn
    node: Node


_UFUNCS: dict[str, Any] = {
    "==": np.equal,
    "!=": np.not_equal,
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.divide,
}
_VERBS = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide"}
FUNCTIONS = ("abs", "min", "max", "is_null", "coalesce", "prev")


_LITERAL_WORDS = {
    Kind.NULL: "null",
    Kind.NUMBER: "a number",
    Kind.DAYS: "a duration",
    Kind.DATE: "a date",
    Kind.STRING: "a string",
    Kind.BOOL: "true/false",
}


def _describe(typed: _Typed) -> str:
    if isinstance(typed.node, Field):
        return f"'{typed.node.name}' ({typed.type})"
    if isinstance(typed.node, Literal):
        return _LITERAL_WORDS.get(typed.type.kind, f"a {typed.type} value")
    return f"a {typed.type} expression"


def _is_missing(kind: Kind, values: Any) -> Any:
    if kind in TEXTUAL:
        return pd.isna(values)
    if kind == Kind.BOOL:
        return False
    return np.isnan(values)


class _Compiler:
    def __init__(self, fields: Mapping[str, CatalogueField], scope: str) -> None:
        self.fields = fields
        self.scope = scope
        self.used: set[str] = set()
        self.lookbacks: set[tuple[str, int]] = set()

    def visit(self, node: Node) -> _Typed:
        if isinstance(node, Literal):
            return self.literal(node)
        if isinstance(node, Field):
            return self.field(node)
        if isinstance(node, Today):
            return _Typed(DATE, lambda cols: cols.today, node)
        if isinstance(node, Unary):
            return self.unary(node)
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, In):
            return self.membership(node)
        return self.call(node)

    def literal(self, node: Literal) -> _Typed:
        value = node.value
        return _Typed(node.type, lambda cols: value, node)

    def field(self, node: Field) -> _Typed:
        spec = self.fields.get(node.name)
        if spec is None:
            raise RuleError(self.unknown_field(node.name), offset=node.pos)
        self.used.add(node.name)
        name = node.name
        return _Typed(spec.type, lambda cols: cols.column(name), node)

    def unknown_field(self, name: str) -> str:
        if name in CATALOGUE:
            return f"field '{name}' is not available in an {self.scope} rule"
        candidates = sorted(self.fields)
        hint = suggest(name, candidates)
        if not hint:
            tail = [c for c in candidates if c.split(".", 1)[-1] == name.split(".")[-1]]
            hint = f" (did you mean '{tail[0]}'?)" if tail else ""
        return f"unknown field '{name}'{hint}"

    def unary(self, node: Unary) -> _Typed:
        operand = self.visit(node.operand)
        fn = operand.fn
        if node.op == "not":
            self.require_bool(operand, "'not'")
            return _Typed(BOOL, lambda cols: np.logical_not(fn(cols)), node)
        if operand.type.kind not in NUMERIC:
            raise RuleError(f"cannot negate {_describe(operand)}", offset=node.pos)
        return _Typed(operand.type, lambda cols: np.negative(fn(cols)), node)

    def require_bool(self, typed: _Typed, what: str) -> None:
        if typed.type != BOOL:
            raise RuleError(
                f"{what} needs true/false values, not {_describe(typed)}", offset=start(typed.node)
            )

    def binary(self, node: Binary) -> _Typed:
        left, right = self.visit(node.left), self.visit(node.right)
        if node.op in ("and", "or"):
            self.require_bool(left, f"'{node.op}'")
            self.require_bool(right, f"'{node.op}'")
            ufunc = np.logical_and if node.op == "and" else np.logical_or
            lf, rf = left.fn, right.fn
            return _Typed(BOOL, lambda cols: ufunc(lf(cols), rf(cols)), node)
        if node.op in COMPARISONS:
            return self.comparison(node, left, right)
        return self.arithmetic(node, left, right)

    def comparison(self, node: Binary, left: _Typed, right: _Typed) -> _Typed:
        if Kind.NULL in (left.type.kind, right.type.kind):
            return self.null_test(node, left, right)
        kind = _comparable(node.op, left, right)
        ufunc, lf, rf, op = _UFUNCS[node.op], left.fn, right.fn, node.op

        def compare(cols: Columns) -> Any:
            a, b = lf(cols), rf(cols)
            out = ufunc(a, b)
            if op == "!=":
                out = out & ~_is_missing(kind, a) & ~_is_missing(kind, b)
            return out

        return _Typed(BOOL, compare, node)

    def null_test(self, node: Binary, left: _Typed, right: _Typed) -> _Typed:
        other = right if left.type.kind == Kind.NULL else left
        if node.op not in ("==", "!=") or other.type.kind == Kind.NULL:
            raise RuleError(
                "null can only be compared with '==' or '!=' to a value (or use is_null())",
                offset=node.pos,
            )
        kind, fn = other.type.kind, other.fn
        if node.op == "==":
            return _Typed(BOOL, lambda cols: _is_missing(kind, fn(cols)), node)
        return _Typed(BOOL, lambda cols: np.logical_not(_is_missing(kind, fn(cols))), node)

    def arithmetic(self, node: Binary, left: _Typed, right: _Typed) -> _Typed:
        result = _arithmetic_type(node.op, left.type, right.type)
        if result is None:
            raise RuleError(
                f"cannot {_VERBS[node.op]} {_describe(left)} and {_describe(right)}",
                offset=node.pos,
            )
        lf, rf = left.fn, right.fn
        if node.op == "/":
            return _Typed(result, lambda cols: _divide(lf(cols), rf(cols)), node)
        ufunc = _UFUNCS[node.op]
        return _Typed(result, lambda cols: ufunc(lf(cols), rf(cols)), node)

    def membership(self, node: In) -> _Typed:
        operand = self.visit(node.operand)
        for item in node.items:
            _comparable("==", operand, self.visit(item))
        kind, fn, negated = operand.type.kind, operand.fn, node.negated
        values: list[Any] = [item.value for item in node.items]

        def isin(cols: Columns) -> Any:
            a = fn(cols)
            if kind in TEXTUAL:
                found = pd.Series(np.atleast_1d(a), dtype=object).isin(values).to_numpy()
            else:
                found = np.isin(a, values)
            return (~found & ~_is_missing(kind, a)) if negated else found

        return _Typed(BOOL, isin, node)

    def call(self, node: Call) -> _Typed:
        handler = {
            "abs": self.call_abs,
            "min": self.call_extreme,
            "max": self.call_extreme,
            "is_null": self.call_is_null,
            "coalesce": self.call_coalesce,
            "prev": self.call_prev,
        }.get(node.name)
        if handler is None:
            hint = suggest(node.name, FUNCTIONS)
            raise RuleError(f"unknown function '{node.name}'{hint}", offset=node.pos)
        return handler(node)

    def arity(self, node: Call, low: int, high: int | None = None) -> list[_Typed]:
        count = len(node.args)
        if count < low or (high is not None and count > high):
            expected = str(low) if high == low else f"{low} or more" if high is None else f"{low}-{high}"
            raise RuleError(f"{node.name}() takes {expected} arguments, got {count}", offset=node.pos)
        if node.name == "prev":
            return []
        return [self.visit(arg) for arg in node.args]

    def call_abs(self, node: Call) -> _Typed:
        (arg,) = self.arity(node, 1, 1)
        if arg.type.kind not in NUMERIC:
            raise RuleError(f"abs() needs a number, not {_describe(arg)}", offset=start(arg.node))
        fn = arg.fn
        return _Typed(arg.type, lambda cols: np.abs(fn(cols)), node)

    def call_extreme(self, node: Call) -> _Typed:
        args = self.arity(node, 2)
        result = args[0].type
        for arg in args[1:]:
            _comparable("<", args[0], arg)
            result = arg.type if result == NUMBER else result
        ufunc, fns = (np.minimum if node.name == "min" else np.maximum), [a.fn for a in args]
        return _Typed(result, lambda cols: functools.reduce(ufunc, [f(cols) for f in fns]), node)

    def call_is_null(self, node: Call) -> _Typed:
        (arg,) = self.arity(node, 1, 1)
        if arg.type.kind == Kind.NULL:
            raise RuleError("is_null() needs a field or expression, not null", offset=start(arg.node))
        kind, fn = arg.type.kind, arg.fn
        return _Typed(BOOL, lambda cols: _is_missing(kind, fn(cols)), node)

    def call_coalesce(self, node: Call) -> _Typed:
        value, default = self.arity(node, 2, 2)
        kind = _comparable("==", value, default)
        vf, df = value.fn, default.fn

        def coalesce(cols: Columns) -> Any:
            a = vf(cols)
            return np.where(_is_missing(kind, a), df(cols), a)

        return _Typed(value.type, coalesce, node)

    def call_prev(self, node: Call) -> _Typed:
        self.arity(node, 2, 2)
        target, span = node.args
        if not isinstance(target, Field):
            raise RuleError("prev() takes a field as its first argument", offset=start(target))
        if not (isinstance(span, Literal) and span.type == DAYS and float(span.value or 0) >= 1):
            raise RuleError("prev() takes a duration such as 7d as its second argument", offset=span.pos)
        typed = self.field(target)
        if typed.type.kind not in NUMERIC | {Kind.DATE}:
            raise RuleError(
                f"prev() needs a number or date field, not {_describe(typed)}", offset=start(target)
            )
        name, days = target.name, int(float(span.value or 0))
        self.lookbacks.add((name, days))
        return _Typed(typed.type, lambda cols: cols.previous(name, days), node)


def _comparable(op: str, left: _Typed, right: _Typed) -> Kind:
    """The kind both sides compare as, or a :class:`RuleError` naming both."""
    a, b = left.type, right.type
    ordering = op not in ("==", "!=")
    if a.kind in NUMERIC and b.kind in NUMERIC and (a.kind == b.kind or Kind.NUMBER in (a.kind, b.kind)):
        return a.kind
    if a.kind == b.kind == Kind.DATE:
        return Kind.DATE
    if a.kind == b.kind == Kind.BOOL and not ordering:
        return Kind.BOOL
    if a.kind in TEXTUAL and b.kind in TEXTUAL and not ordering:
        _check_enum_value(left, right)
        _check_enum_value(right, left)
        return Kind.STRING
    if a.kind in TEXTUAL | {Kind.BOOL} and a.kind == b.kind:
        raise RuleError(f"cannot order {a} values with '{op}'", offset=start(right.node))
    raise RuleError(f"cannot compare {_describe(left)} with {_describe(right)}", offset=start(right.node))


def _check_enum_value(enum_side: _Typed, literal: _Typed) -> None:
    values = enum_side.type.values
    if enum_side.type.kind != Kind.ENUM or not isinstance(literal.node, Literal):
        return
    if literal.node.value not in values:
        hint = suggest(str(literal.node.value), values)
        allowed = ", ".join(values)
        raise RuleError(
            f"'{literal.node.value}' is not a value of {_describe(enum_side)}{hint}; values: {allowed}",
            offset=literal.node.pos,
        )


def _arithmetic_type(op: str, a: Type, b: Type) -> Type | None:
    """Units: money ± money, money × number, days ± days, date ± days, date − date = days."""
    if a.kind in NUMERIC and b.kind in NUMERIC:
        return _numeric_result(op, a, b)
    if op == "-" and a.kind == b.kind == Kind.DATE:
        return DAYS
    if op in "+-" and a.kind == Kind.DATE and b.kind in (Kind.DAYS, Kind.NUMBER):
        return DATE
    if op == "+" and b.kind == Kind.DATE and a.kind in (Kind.DAYS, Kind.NUMBER):
        return DATE
    return None


def _numeric_result(op: str, a: Type, b: Type) -> Type | None:
    """A bare number takes the other side's unit; money and days never mix."""
    if op in "+-":
        if a.kind == b.kind or b.kind == Kind.NUMBER:
            return a
        return b if a.kind == Kind.NUMBER else None
    if op == "*":
        if a.kind == Kind.NUMBER:
            return b
        return a if b.kind == Kind.NUMBER else None
    if a.kind == b.kind:
        return NUMBER  # money / money (or days / days) is a ratio
    return a if b.kind == Kind.NUMBER else None


def _divide(a: Any, b: Any) -> Any:
    return np.where(np.asarray(b) == 0, np.nan, np.divide(a, b))
