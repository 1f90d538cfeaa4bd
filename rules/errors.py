"""Errors that point at a place in a rule or routing file: ``path:line:col: message``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """A 1-based line and column in a file."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class RuleError(ValueError):
    """One mistake, optionally placed in a file (line and column are 1-based)."""

    def __init__(self, message: str, location: Location | None = None, offset: int = 0) -> None:
        self.message = message
        self.location = location
        # Position inside the expression text (0-based) while the file is not yet known.
        self.offset = offset
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message

    def placed(self, location: Location) -> RuleError:
        """The same error, placed at ``location``."""
        return RuleError(self.message, location, self.offset)


class RuleLoadError(ValueError):
    """Every mistake found in a set of files, in file order."""

    def __init__(self, errors: Iterable[RuleError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))
