"""Label matchers in the Alertmanager syntax: ``name=value``, ``!=``, ``=~regex``, ``!~regex``.

Values may be quoted (``severity="high"``); regular expressions match the whole value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

_MATCHER = re.compile(r'^\s*([A-Za-z_][\w.]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|(.*?))\s*$')


@dataclass(frozen=True)
class Matcher:
    """One condition on one label."""

    name: str
    op: str
    value: str
    pattern: re.Pattern[str] | None = None

    def matches(self, labels: Mapping[str, str]) -> bool:
        actual = labels.get(self.name, "")
        if self.op == "=":
            return actual == self.value
        if self.op == "!=":
            return actual != self.value
        found = self.pattern is not None and self.pattern.fullmatch(actual) is not None
        return found if self.op == "=~" else not found

    def __str__(self) -> str:
        return f'{self.name}{self.op}"{self.value}"'


def parse_matcher(text: object) -> Matcher:
    """Parse ``name=value``; a bad matcher or regex raises ``ValueError`` saying why."""
    if isinstance(text, Matcher):
        return text
    match = _MATCHER.match(str(text))
    if not match:
        raise ValueError(f"'{text}' is not a matcher (write label=value, !=, =~ or !~)")
    name, op = match.group(1), match.group(2)
    value = match.group(3) if match.group(3) is not None else match.group(4)
    value = re.sub(r"\\(.)", r"\1", value)
    if op in ("=~", "!~"):
        try:
            return Matcher(name, op, value, re.compile(value))
        except re.error as exc:
            raise ValueError(f"bad regular expression '{value}': {exc}") from None
    return Matcher(name, op, value)


def all_match(matchers: Sequence[Matcher], labels: Mapping[str, str]) -> bool:
    """True when every matcher matches (an empty list matches everything)."""
    return all(matcher.matches(labels) for matcher in matchers)
