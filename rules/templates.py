"""Alert message templates: jinja2 in a sandbox, every variable checked against the catalogue.

A template may use catalogue fields (``{{ invoice.number }}``), ``rule.name``,
``rule.severity`` and ``today``, plus the filters ``money``, ``pct`` and ``days`` (and a
few that cannot grow their input, such as ``upper``). Anything else is a load error placed
on the template's line and column.

A template is a message, not a program: no loops, assignments, macros, ``*``, ``**`` or
``%``, so nothing in it can multiply text. Rendering is bounded all the same (for rule sets
stored before these checks): the sandbox refuses a ``*`` or ``**`` whose result would be
large, and the output stops at :data:`MAX_MESSAGE_CHARS`.
"""

from __future__ import annotations

import functools
import math
import operator
import re
from collections.abc import Iterator, Mapping
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from rules.catalogue import CATALOGUE, NAMESPACES, Field, suggest
from rules.errors import RuleError

RULE_VARIABLES = ("rule.name", "rule.severity", "rule.description")
TOP_LEVEL = frozenset({*NAMESPACES, "rule", "today"})
MAX_MESSAGE_CHARS = 4000
TRUNCATED = " [...]"
FILTERS = frozenset(
    {"money", "pct", "days", "upper", "lower", "title", "capitalize", "trim", "round", "abs", "default"}
)
# What a message template may be made of: output, fields, constants, filters, conditions
# and arithmetic that cannot grow text ("+" joins two bounded parts at most).
ALLOWED_NODES = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.Getattr,
    nodes.Const,
    nodes.Filter,
    nodes.If,
    nodes.CondExpr,
    nodes.Compare,
    nodes.Operand,
    nodes.Test,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Neg,
    nodes.Pos,
    nodes.Add,
    nodes.Sub,
    nodes.Div,
    nodes.FloorDiv,
    nodes.Concat,
)
REFUSED_SYNTAX = {
    nodes.Mul: "'*'",
    nodes.Pow: "'**'",
    nodes.Mod: "'%'",
    nodes.For: "'for' loops",
    nodes.Assign: "'set'",
    nodes.AssignBlock: "'set'",
    nodes.Macro: "macros",
}


def _money(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):,.2f}"


def _pct(value: Any) -> str:
    return "n/a" if value is None else f"{float(value) * 100:.0f}%"


def _days(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):.0f}"


class _BoundedEnvironment(SandboxedEnvironment):
    """A sandbox whose ``*`` and ``**`` refuse results that could exhaust memory."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "*":
            _check_repeat(left, right)
            _check_repeat(right, left)
            return operator.mul(left, right)
        numbers = isinstance(left, int | float) and isinstance(right, int | float)
        if operator_name == "**" and numbers and abs(right) > 64 and abs(left) > 1:
            raise SecurityError(f"'**' with an exponent of {right} is too large for a message")
        return super().call_binop(context, operator_name, left, right)


def _check_repeat(sequence: Any, count: Any) -> None:
    repeats_text = isinstance(sequence, str | list | tuple) and isinstance(count, int)
    if repeats_text and len(sequence) * count > MAX_MESSAGE_CHARS:
        raise SecurityError(f"'*' would make text longer than {MAX_MESSAGE_CHARS} characters")


ENVIRONMENT = _BoundedEnvironment(
    undefined=StrictUndefined, autoescape=False, finalize=lambda v: "n/a" if v is None else v
)
ENVIRONMENT.filters.update(money=_money, pct=_pct, days=_days)


def check_template(text: str, fields: Mapping[str, Field], scope: str) -> None:
    """Raise a :class:`RuleError` (with an offset into ``text``) for a bad template."""
    try:
        tree = ENVIRONMENT.parse(text)
    except TemplateSyntaxError as exc:
        raise RuleError(
            f"template syntax error: {exc.message}", offset=_line_offset(text, exc.lineno)
        ) from None
    attribute_roots: set[int] = set()
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Call)):
        if not (isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name)):
            # Only ``namespace.field`` lookups: no method calls, items or attribute chains.
            shown = (
                f".{node.attr}"
                if isinstance(node, nodes.Getattr)
                else "("
                if isinstance(node, nodes.Call)
                else "["
            )
            raise RuleError(
                f"templates may only use fields such as 'invoice.number', not '{shown}'",
                offset=max(text.find(shown), 0),
            )
        attribute_roots.add(id(node.node))
        _check_name(f"{node.node.name}.{node.attr}", text, fields, scope)
    for name in tree.find_all(nodes.Name):
        if id(name) in attribute_roots or name.ctx != "load" or name.name == "today":
            continue
        hint = " (use a field such as 'invoice.number')" if name.name in TOP_LEVEL else ""
        raise RuleError(f"unknown template variable '{name.name}'{hint}", offset=_find(text, name.name))
    _check_syntax(tree, text)


def _check_syntax(tree: nodes.Template, text: str) -> None:
    """Refuse what could make a message grow without bound, or run as a program."""
    for node in tree.find_all(nodes.Node):
        if isinstance(node, nodes.Filter) and node.name not in FILTERS:
            raise RuleError(
                f"unknown template filter '{node.name}' (filters: {', '.join(sorted(FILTERS))})",
                offset=_find_token(text, node.name, node.lineno),
            )
        refused = REFUSED_SYNTAX.get(type(node))
        if refused is not None:
            raise RuleError(
                f"templates may not use {refused} (a message shows fields, it does not compute text)",
                offset=_line_offset(text, node.lineno),
            )
        if not isinstance(node, ALLOWED_NODES):
            raise RuleError(
                f"templates may not use '{type(node).__name__}'", offset=_line_offset(text, node.lineno)
            )


def _find_token(text: str, token: str, lineno: int) -> int:
    start = _line_offset(text, lineno)
    found = text.find(token, start)
    return found if found >= 0 else start


def _check_name(dotted: str, text: str, fields: Mapping[str, Field], scope: str) -> None:
    if dotted in fields or dotted in RULE_VARIABLES:
        return
    offset = _find(text, dotted)
    if dotted in CATALOGUE:
        raise RuleError(f"template field '{dotted}' is not available in an {scope} rule", offset=offset)
    hint = suggest(dotted, [*fields, *RULE_VARIABLES])
    raise RuleError(f"unknown template variable '{dotted}'{hint}", offset=offset)


def _find(text: str, dotted: str) -> int:
    pattern = r"\s*\.\s*".join(re.escape(part) for part in dotted.split("."))
    match = re.search(rf"(?<![\w.]){pattern}(?!\w)", text)
    return match.start() if match else 0


def _line_offset(text: str, lineno: int) -> int:
    offset = 0
    for _ in range(max(lineno - 1, 0)):
        offset = text.find("\n", offset) + 1
    return offset


def render(text: str, values: Mapping[str, Any]) -> str:
    """Render ``text`` with ``values`` (``{'invoice.number': ..., 'rule.name': ...}``)."""
    context: dict[str, Any] = {}
    for dotted, value in values.items():
        if "." in dotted:
            namespace, attribute = dotted.split(".", 1)
            context.setdefault(namespace, {})[attribute] = _display(value)
        else:
            context[dotted] = value
    try:
        return _bounded(_compiled(text).generate(context))
    except SecurityError as exc:  # only a template stored before the load checks gets here
        return f"[message not rendered: {exc}]"


def _bounded(chunks: Iterator[str]) -> str:
    """The rendered text, cut at :data:`MAX_MESSAGE_CHARS` (the rest is never produced)."""
    parts: list[str] = []
    size = 0
    for chunk in chunks:
        parts.append(chunk)
        size += len(chunk)
        if size > MAX_MESSAGE_CHARS:
            return "".join(parts)[: MAX_MESSAGE_CHARS - len(TRUNCATED)] + TRUNCATED
    return "".join(parts)


@functools.lru_cache(maxsize=256)
def _compiled(text: str) -> Template:
    return ENVIRONMENT.from_string(text)


def _display(value: Any) -> Any:
    """Missing values show as ``None`` for filters and ``n/a`` in plain output."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
