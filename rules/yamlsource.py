"""Read YAML keeping the line and column of every key and value.

Rule and routing files are composed into YAML nodes (never constructed by tag), then
turned into plain Python values while the nodes' marks are kept by path, so any later
error (pydantic, the expression checker, a template) can name ``file:line:column``.
Only ``true``/``false`` are booleans (YAML 1.2): ``on: invoice`` stays the key ``on``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from rules.errors import Location, RuleError

Path_ = tuple[str | int, ...]
MAX_NESTING = 40


class _Loader(yaml.SafeLoader):
    """SafeLoader whose implicit booleans are only true/false."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass
class YamlSource:
    """One YAML document as plain data, with the nodes that produced each value."""

    path: str
    text: str
    data: Any
    values: dict[Path_, yaml.Node] = field(default_factory=dict)
    keys: dict[Path_, yaml.Node] = field(default_factory=dict)

    def location(self, path: Path_, *, key: bool = False) -> Location:
        """Where the value (or, with ``key``, the key) at ``path`` is; falls back to a parent."""
        table = self.keys if key else self.values
        for depth in range(len(path), -1, -1):
            node = table.get(path[:depth]) or self.values.get(path[:depth])
            if node is not None:
                mark = node.start_mark
                return Location(self.path, mark.line + 1, mark.column + 1)
        return Location(self.path, 1, 1)

    def locate_in_scalar(self, path: Path_, offset: int) -> Location:
        """Where character ``offset`` of the string scalar at ``path`` sits in the file."""
        node = self.values.get(path)
        if not isinstance(node, yaml.ScalarNode):
            return self.location(path)
        index = _source_index(self.text, node, offset)
        line = self.text.count("\n", 0, index)
        column = index - (self.text.rfind("\n", 0, index) + 1)
        return Location(self.path, line + 1, column + 1)


def _source_index(text: str, node: yaml.ScalarNode, offset: int) -> int:
    """Align the scalar's value with its raw source text to find ``offset``'s index.

    Quotes, escapes, block headers, folding and indentation only ever add source
    characters, so walking both and skipping unmatched source characters is enough.
    """
    start, end = node.start_mark.index, node.end_mark.index
    i = start
    if node.style in ("'", '"'):
        i += 1
    elif node.style in ("|", ">"):
        i = text.find("\n", start, end) + 1 or start
    value = node.value
    j = 0
    while j < min(offset, len(value)) and i < end:
        if text[i] == value[j] or (value[j] in " \n" and text[i] in " \n"):
            j += 1
        i += 1
    while i < end and text[i] in " \n" and j < len(value) and value[j] not in " \n":
        i += 1
    return min(i, max(end - 1, start))


def load_yaml(path: str, text: str) -> YamlSource:
    """Parse one YAML document; a syntax error becomes a placed :class:`RuleError`."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise RuleError(_yaml_message(exc), _yaml_location(path, exc)) from None
    except yaml.YAMLError as exc:
        raise RuleError(f"invalid YAML: {exc}", Location(path, 1, 1)) from None
    except RecursionError:
        raise RuleError("invalid YAML: nested too deeply", Location(path, 1, 1)) from None
    source = YamlSource(path=path, text=text, data=None)
    source.data = _plain(root, (), source, set()) if root is not None else None
    return source


def _yaml_location(path: str, exc: yaml.MarkedYAMLError) -> Location:
    mark = exc.problem_mark or exc.context_mark
    return Location(path, mark.line + 1, mark.column + 1) if mark else Location(path, 1, 1)


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    """PyYAML's problem, plus where the construct it was reading began."""
    message = f"invalid YAML: {exc.problem or exc.context}"
    if exc.context and exc.problem and exc.context_mark is not None:
        mark = exc.context_mark
        message += f" {exc.context} (started at line {mark.line + 1}, column {mark.column + 1})"
    return message


def _plain(node: yaml.Node, path: Path_, source: YamlSource, seen: set[int]) -> Any:
    """Plain data from a node, refusing aliases (they could expand exponentially)."""
    where = Location(path=source.path, line=node.start_mark.line + 1, column=node.start_mark.column + 1)
    if id(node) in seen:
        where = source.location(path, key=True)
        raise RuleError("YAML anchors and aliases are not supported here", where)
    if len(path) > MAX_NESTING:
        raise RuleError("invalid YAML: nested too deeply", where)
    seen.add(id(node))
    source.values[path] = node
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in out:
                raise RuleError(f"duplicate key '{key}'", source.location((*path, key), key=True))
            source.keys[(*path, key)] = key_node
            out[key] = _plain(value_node, (*path, key), source, seen)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, (*path, i), source, seen) for i, item in enumerate(node.value)]
    try:
        return _Loader("").construct_object(node)
    except yaml.MarkedYAMLError as exc:
        raise RuleError(f"invalid value: {exc.problem}", where) from None
    except (ValueError, TypeError, OverflowError) as exc:
        # e.g. 2024-02-30 looks like a timestamp but is no date
        raise RuleError(f"invalid value: {exc}", where) from None
