"""Load rule files (or rule texts stored elsewhere) into a checked, compiled :class:`RuleSet`.

Every mistake is reported as ``path:line:col: message``; one file may report several
(schema errors first, then the condition and the message template).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import ValidationError

from rules.catalogue import Field as CatalogueField
from rules.catalogue import fields_for, suggest
from rules.errors import Location, RuleError, RuleLoadError
from rules.expr.compiler import Columns, Compiled, compile_condition, compile_expression
from rules.kinds import KIND_KEYS, Condition, kind_conditions
from rules.schema import RULE_KINDS, RuleBase, RuleSpec
from rules.templates import check_template
from rules.validation import placed_errors
from rules.yamlsource import YamlSource, load_yaml

RULE_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Rule:
    """A valid rule: its spec, its compiled condition and where it came from."""

    spec: RuleSpec
    conditions: tuple[Compiled, ...]
    location: Location

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def scope(self) -> str:
        return self.spec.on

    @property
    def lookbacks(self) -> frozenset[tuple[str, int]]:
        return frozenset().union(*(c.lookbacks for c in self.conditions))

    def mask(self, columns: Columns) -> np.ndarray:
        """Rows where the rule fires."""
        mask = self.conditions[0].mask(columns)
        for condition in self.conditions[1:]:
            mask = mask & condition.mask(columns)
        return mask


@dataclass(frozen=True)
class RuleSet:
    """Rules with unique names, in file order."""

    rules: tuple[Rule, ...]

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    @property
    def lookbacks(self) -> frozenset[tuple[str, int]]:
        """Every (field, days) some rule compares with its past value."""
        return frozenset().union(*(rule.lookbacks for rule in self.rules))


def parse_rule(path: str, text: str) -> Rule:
    """Check and compile one rule file's text; raise :class:`RuleLoadError` with every mistake."""
    try:
        source = load_yaml(path, text)
    except RuleError as exc:
        raise RuleLoadError([exc]) from None
    if not isinstance(source.data, dict):
        raise RuleLoadError(
            [RuleError("a rule file must be a mapping of keys to values", source.location(()))]
        )
    spec = _validate(source)
    errors: list[RuleError] = []
    conditions = _conditions(source, spec, errors)
    _check_message(source, spec, errors)
    if errors:
        raise RuleLoadError(errors)
    return Rule(spec=spec, conditions=tuple(conditions), location=source.location(("name",)))


def _validate(source: YamlSource) -> RuleSpec:
    data = source.data
    kind = data.get("kind", "threshold")
    model = RULE_KINDS.get(kind) if isinstance(kind, str) else None
    if model is None:
        hint = suggest(str(kind), list(RULE_KINDS))
        allowed = ", ".join(RULE_KINDS)
        where = source.location(("kind",))
        raise RuleLoadError([RuleError(f"kind: unknown rule kind '{kind}'{hint}; kinds: {allowed}", where)])
    try:
        return model.model_validate(data)  # type: ignore[return-value]
    except ValidationError as exc:
        raise RuleLoadError(placed_errors(source, exc, model)) from None


def _conditions(source: YamlSource, spec: RuleBase, errors: list[RuleError]) -> list[Compiled]:
    fields = fields_for(spec.on)
    out: list[Compiled] = []
    for node, key in _kind_conditions(spec, fields, source, errors):
        try:
            out.append(compile_expression(node, fields, spec.on))
        except RuleError as exc:
            errors.append(exc.placed(source.locate_in_scalar(key, exc.offset)))
    if spec.when is not None:
        try:
            out.append(compile_condition(spec.when, fields, spec.on))
        except RuleError as exc:
            errors.append(exc.placed(source.locate_in_scalar(("when",), exc.offset)))
    return out


def _kind_conditions(
    spec: RuleBase,
    fields: Mapping[str, CatalogueField],
    source: YamlSource,
    errors: list[RuleError],
) -> list[Condition]:
    """The kind's conditions, or none with the error recorded at the kind's block."""
    try:
        return kind_conditions(spec, fields)
    except RuleError as exc:
        key = KIND_KEYS[str(getattr(spec, "kind", "threshold"))]
        errors.append(exc.placed(source.locate_in_scalar(key, exc.offset)))
        return []


def _check_message(source: YamlSource, spec: RuleBase, errors: list[RuleError]) -> None:
    try:
        check_template(spec.message, fields_for(spec.on), spec.on)
    except RuleError as exc:
        errors.append(exc.placed(source.locate_in_scalar(("message",), exc.offset)))


def rule_files(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, plus ``*.yaml``/``*.yml`` inside folders, sorted."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.suffix in RULE_SUFFIXES))
        else:
            out.append(path)
    return out


def check_texts(texts: Mapping[str, str]) -> tuple[list[Rule], dict[str, list[RuleError]]]:
    """Check rule texts keyed by path; return the valid rules and each path's errors."""
    rules: list[Rule] = []
    errors: dict[str, list[RuleError]] = {path: [] for path in texts}
    seen: dict[str, Rule] = {}
    for path, text in texts.items():
        try:
            rule = parse_rule(path, text)
        except RuleLoadError as exc:
            errors[path] = exc.errors
            continue
        if (first := seen.get(rule.name)) is not None:
            message = f"duplicate rule name '{rule.name}' (first defined at {first.location})"
            errors[path] = [RuleError(message, rule.location)]
            continue
        seen[rule.name] = rule
        rules.append(rule)
    return rules, errors


def check_files(paths: Iterable[Path]) -> tuple[list[Rule], dict[str, list[RuleError]]]:
    """:func:`check_texts` over files and folders; an unreadable file is an error too."""
    texts: dict[str, str] = {}
    unreadable: dict[str, list[RuleError]] = {}
    for path in rule_files(paths):
        try:
            texts[str(path)] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            unreadable[str(path)] = [RuleError(f"cannot read file: {exc}", Location(str(path), 1, 1))]
    rules, errors = check_texts(texts)
    return rules, {**errors, **unreadable}


def rule_set(rules: list[Rule], errors: Mapping[str, list[RuleError]]) -> RuleSet:
    """A :class:`RuleSet`, or :class:`RuleLoadError` if any file had a mistake."""
    found = [error for file_errors in errors.values() for error in file_errors]
    if found:
        raise RuleLoadError(found)
    return RuleSet(tuple(rules))


def load_rules(paths: Iterable[Path]) -> RuleSet:
    """Load rule files and folders; raise :class:`RuleLoadError` if anything is wrong."""
    return rule_set(*check_files(paths))


def load_rule_texts(texts: Mapping[str, str]) -> RuleSet:
    """Load rules stored as texts (e.g. a rule set version in the database)."""
    return rule_set(*check_texts(texts))
