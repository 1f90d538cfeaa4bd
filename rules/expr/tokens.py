"""Tokenizer for the expression language (regular expressions, no ``eval``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from rules.errors import RuleError

KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null", "today"})
OPERATORS = ("==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "(", ")", "[", "]", ",")
DAYS_PER_UNIT = {"d": 1, "w": 7}
_EPOCH = date(1970, 1, 1)

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<date>\d{4}-\d{2}-\d{2})(?![\w.])
  | (?P<duration>\d+(?:\.\d+)?[dw])(?![\w.])
  | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?![\w.])
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<name>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)
  | (?P<op>==|!=|<=|>=|<|>|\+|-|\*|/|\(|\)|\[|\]|,)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    """One token: its kind (``number``, ``name``, ``op``, ... or ``end``), value and offset."""

    kind: str
    text: str
    pos: int
    value: float | str | None = None


def day_number(day: date) -> int:
    """Days since 1970-01-01: how dates are compared and subtracted."""
    return (day - _EPOCH).days


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens; a character that starts no token is a :class:`RuleError`."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise RuleError(_unexpected(text, pos), offset=pos)
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(_token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def _token(kind: str, text: str, pos: int) -> Token:
    if kind == "number":
        return Token(kind, text, pos, float(text))
    if kind == "duration":
        return Token(kind, text, pos, float(text[:-1]) * DAYS_PER_UNIT[text[-1]])
    if kind == "date":
        try:
            return Token(kind, text, pos, float(day_number(date.fromisoformat(text))))
        except ValueError:
            raise RuleError(f"'{text}' is not a valid date", offset=pos) from None
    if kind == "string":
        return Token(kind, text, pos, re.sub(r"\\(.)", r"\1", text[1:-1], flags=re.S))
    if kind == "name" and text in KEYWORDS:
        return Token("keyword", text, pos, text)
    return Token(kind, text, pos, text)


def _unexpected(text: str, pos: int) -> str:
    char = text[pos]
    if char == "=":
        return "unexpected '=' (use '==' to compare)"
    if char in "'\"":
        return "unterminated string"
    if char == "&" or char == "|":
        return f"unexpected '{char}' (use 'and' / 'or')"
    if char == "!":
        return "unexpected '!' (use 'not' or '!=')"
    if char.isdigit():
        word = re.match(r"[\w.]+", text[pos:])
        return f"invalid number '{word.group() if word else char}' (durations are like 7d or 2w)"
    return f"unexpected character {char!r}"
