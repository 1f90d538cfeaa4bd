"""API shapes of rule set versions and proposals."""

from __future__ import annotations

from datetime import datetime

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


class RuleSetProposal(BaseModel):
    """A whole new set of rule files (file name -> YAML)."""

    model_config = ConfigDict(extra="forbid")

    texts: dict[str, str] = Field(min_length=1)
    note: str = Field(default="", max_length=2000)
