"""Rule sets as versioned data: validate a proposed change and describe it for the audit trail.

The database stores each version's texts (file name -> YAML); this module decides whether
a proposed version may replace the running one and produces the diff to record with
who and when. A proposal with any mistake is refused whole: the last good set keeps running.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field

from rules.errors import RuleError
from rules.loader import RuleSet, check_texts


@dataclass(frozen=True)
class Proposal:
    """The outcome of checking a proposed rule set against the running one."""

    accepted: bool
    rules: RuleSet | None
    errors: dict[str, list[RuleError]] = field(default_factory=dict)
    diff: str = ""
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()


def propose(current: Mapping[str, str], proposed: Mapping[str, str]) -> Proposal:
    """Check ``proposed`` (file name -> YAML text) and diff it against ``current``."""
    rules, errors = check_texts(proposed)
    bad = {path: found for path, found in errors.items() if found}
    added = tuple(sorted(set(proposed) - set(current)))
    removed = tuple(sorted(set(current) - set(proposed)))
    changed = tuple(sorted(p for p in set(current) & set(proposed) if current[p] != proposed[p]))
    return Proposal(
        accepted=not bad,
        rules=None if bad else RuleSet(tuple(rules)),
        errors=bad,
        diff=unified_diff(current, proposed),
        added=added,
        removed=removed,
        changed=changed,
    )


def unified_diff(before: Mapping[str, str], after: Mapping[str, str]) -> str:
    """One unified diff over all files (``/dev/null`` for added and removed files)."""
    parts: list[str] = []
    for path in sorted(set(before) | set(after)):
        old, new = before.get(path), after.get(path)
        if old == new:
            continue
        parts.extend(
            difflib.unified_diff(
                (old or "").splitlines(keepends=True),
                (new or "").splitlines(keepends=True),
                fromfile=f"a/{path}" if old is not None else "/dev/null",
                tofile=f"b/{path}" if new is not None else "/dev/null",
            )
        )
    return "".join(parts)
