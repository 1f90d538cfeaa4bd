"""Mapping files: how a non-canonical CSV layout maps onto the canonical invoice columns."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from connectors.csv.columns import CANONICAL_FIELDS


class MappingError(ValueError):
    """A mapping file that cannot be used, with the file named."""


class Mapping(BaseModel):
    """Column renames, date formats, boolean words and defaults for one CSV layout."""

    model_config = ConfigDict(extra="forbid")

    name: str = "canonical"
    description: str = ""
    columns: dict[str, str] = Field(default_factory=dict)
    date_formats: list[str] = Field(default_factory=lambda: ["%Y-%m-%d"])
    true_values: list[str] = Field(default_factory=lambda: ["true", "yes", "y", "1", "t"])
    false_values: list[str] = Field(default_factory=lambda: ["false", "no", "n", "0", "f", ""])
    defaults: dict[str, str] = Field(default_factory=dict)
    delimiter: str = ","
    encoding: str = "utf-8-sig"

    @field_validator("columns", "defaults")
    @classmethod
    def _canonical_keys(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(CANONICAL_FIELDS))
        if unknown:
            raise ValueError(
                f"unknown canonical field(s) {', '.join(unknown)}; known: {', '.join(CANONICAL_FIELDS)}"
            )
        return value

    def source_column(self, field: str) -> str:
        """The header in the file that holds ``field``."""
        return self.columns.get(field, field)


def load_mapping(path: Path | None) -> Mapping:
    """Load a mapping file, or the canonical layout when ``path`` is None."""
    if path is None:
        return Mapping()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MappingError(f"{path}: cannot read mapping file: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise MappingError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise MappingError(f"{path}: a mapping file must be a YAML object")
    try:
        return Mapping.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise MappingError(f"{path}: {where}: {first['msg']}") from None
