"""Turn pydantic validation errors into placed :class:`RuleError` messages."""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from rules.catalogue import suggest
from rules.errors import RuleError
from rules.yamlsource import YamlSource


def placed_errors(
    source: YamlSource,
    exc: ValidationError,
    model: type[BaseModel],
    prefix: tuple[str | int, ...] = (),
) -> list[RuleError]:
    """One placed error per pydantic error, in file order."""
    out: list[RuleError] = []
    for error in exc.errors():
        loc = (*prefix, *error["loc"])
        if error["type"] == "extra_forbidden":
            key = str(loc[-1])
            hint = suggest(key, _allowed_keys(model, error["loc"][:-1]))
            out.append(RuleError(f"unknown key '{key}'{hint}", source.location(loc, key=True)))
        elif error["type"] == "missing":
            out.append(RuleError(f"missing required key '{loc[-1]}'", source.location(loc[:-1])))
        else:
            message = str(error["msg"]).removeprefix("Value error, ")
            out.append(RuleError(f"{_dotted(error['loc'])}: {message}", source.location(loc)))
    return sorted(out, key=lambda e: (e.location.line, e.location.column) if e.location else (0, 0))


def _dotted(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc if not str(part).startswith("function-"))


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names of the model found by walking ``loc`` through nested models."""
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None or not isinstance(part, str) or part not in current.model_fields:
            return [] if current is None else list(current.model_fields)
        current = _model_in(current.model_fields[part].annotation)
    return list(current.model_fields) if current else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        for arg in typing.get_args(annotation):
            if found := _model_in(arg):
                return found
    if typing.get_origin(annotation) is list:
        return _model_in(typing.get_args(annotation)[0])
    return None
