"""API shapes of rule set versions and proposals."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class RuleSetVersionRead(BaseModel):
    """One stored version (texts only on the active one)."""

    model_config = ConfigDict(from_attributes=True)

    version: int
    created_by: str
    created_at: datetime
    note: str
    diff: str
    active: bool


class RuleSetRead(BaseModel):
    """The running rule set and the history of versions."""

    active: RuleSetVersionRead
    texts: dict[str, str]
    rules: list[str]
    versions: list[RuleSetVersionRead]


MAX_RULE_FILES = 200
MAX_RULE_FILE_CHARS = 100_000


class RuleSetProposal(BaseModel):
    """A whole new set of rule files (file name -> YAML), at most 200 of 100,000 characters each."""

    model_config = ConfigDict(extra="forbid")

    texts: dict[
        Annotated[str, Field(min_length=1, max_length=200)],
        Annotated[str, Field(max_length=MAX_RULE_FILE_CHARS)],
    ] = Field(min_length=1, max_length=MAX_RULE_FILES)
    note: str = Field(default="", max_length=2000)
