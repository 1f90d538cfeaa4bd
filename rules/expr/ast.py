"""Expression syntax tree. Every node keeps ``pos``, its offset in the expression text."""

from __future__ import annotations

from dataclasses import dataclass

from rules.catalogue import Type


@dataclass(frozen=True)
class Literal:
    """A constant: number, string, bool, null, a duration (in days) or a date (a day number)."""

    value: float | str | bool | None
    type: Type
    pos: int


@dataclass(frozen=True)
class Field:
    """A catalogue field such as ``invoice.amount_open``."""

    name: str
    pos: int


@dataclass(frozen=True)
class Today:
    """The evaluation date."""

    pos: int


@dataclass(frozen=True)
class Unary:
    """``not x`` or ``-x``."""

    op: str
    operand: Node
    pos: int


@dataclass(frozen=True)
class Binary:
    """``a op b`` for logic, comparison and arithmetic operators."""

    op: str
    left: Node
    right: Node
    pos: int


@dataclass(frozen=True)
class In:
    """``x in [a, b]`` (or ``not in``)."""

    operand: Node
    items: tuple[Literal, ...]
    negated: bool
    pos: int


@dataclass(frozen=True)
class Call:
    """``name(args...)`` for one of the safe functions."""

    name: str
    args: tuple[Node, ...]
    pos: int


Node = Literal | Field | Today | Unary | Binary | In | Call


def start(node: Node) -> int:
    """Offset of the first character of ``node`` (binary nodes keep their operator's)."""
    while isinstance(node, Binary | In):
        node = node.left if isinstance(node, Binary) else node.operand
    return node.pos
