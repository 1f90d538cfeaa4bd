"""Alert message templates: jinja2 in a sandbox, every variable checked against the catalogue.

A template may use catalogue fields (``{{ invoice.number }}``), ``rule.name``,
``rule.severity`` and ``today``, plus the filters ``money``, ``pct`` and ``days``.
Anything else is a load error placed on the template's line and column.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from rules.catalogue import CATALOGUE, NAMESPACES, Field, suggest
from rules.errors import RuleError

RULE_VARIABLES = ("rule.name", "rule.severity", "rule.description")
TOP_LEVEL = frozenset({*NAMESPACES, "rule", "today"})


def _money(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):,.2f}"


def _pct(value: Any) -> str:
    return "n/a" if value is None else f"{float(value) * 100:.0f}%"


def _days(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):.0f}"


ENVIRONMENT = SandboxedEnvironment(
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
    return _compiled(text).render(context)


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
