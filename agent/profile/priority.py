"""Which source wins each account field: CRM for name/owner/segment, billing for currency.

A field set by a source stays unless a source at least as high in that field's list
writes it again. Sources not listed rank below the listed ones. Override per field with
a YAML file (``NUDGE_FIELD_PRIORITY_FILE``)::

    name: [salesforce, hubspot, stripe]
    currency: [stripe]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

CRM_FIRST = ("hubspot", "salesforce", "stripe", "csv", "demo")
BILLING_FIRST = ("stripe", "csv", "hubspot", "salesforce", "demo")
DEFAULT_PRIORITY: dict[str, tuple[str, ...]] = {
    "name": CRM_FIRST,
    "owner": CRM_FIRST,
    "segment": CRM_FIRST,
    "country": CRM_FIRST,
    "primary_domain": CRM_FIRST,
    "currency": BILLING_FIRST,
}


class PriorityFileError(ValueError):
    """A field priority file that is not a mapping of field to a list of sources."""


@dataclass(frozen=True)
class FieldPriority:
    """Source ranking per field (lower index wins)."""

    order: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_PRIORITY))

    def may_write(self, field_name: str, source: str, current: str | None) -> bool:
        """Whether ``source`` may overwrite a value ``current`` wrote (None: never set)."""
        if current is None or current == source:
            return True
        ranking = self.order.get(field_name, ())
        return self._rank(ranking, source) <= self._rank(ranking, current)

    @staticmethod
    def _rank(ranking: tuple[str, ...], source: str) -> int:
        return ranking.index(source) if source in ranking else len(ranking)


def load_priority(path: Path | None) -> FieldPriority:
    """The defaults, with the fields a YAML file lists replaced."""
    if path is None:
        return FieldPriority()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise PriorityFileError(f"{path}: expected a mapping of field to a list of sources")
    order = dict(DEFAULT_PRIORITY)
    for name, sources in data.items():
        if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
            raise PriorityFileError(f"{path}: field {name!r}: expected a list of source names")
        order[str(name)] = tuple(sources)
    return FieldPriority(order)
