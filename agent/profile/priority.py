"""Which source wins each account field: CRM for name/owner/segment, billing for currency.

Each connector declares its rank per field (``ConnectorSpec.field_priority``, lower wins);
Nudge's own sources (CSV imports, the demo's native data) rank here. A field set by a
source stays unless a source at least as high in that field's list writes it again.
Sources not listed rank below the listed ones. Override per field with a YAML file
(``NUDGE_FIELD_PRIORITY_FILE``)::

    name: [salesforce, hubspot, stripe]
    currency: [stripe]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from connectors.core.ranks import ranks
from connectors.core.registry import available

# Ranks of the sources that are not connectors: a CSV import is billing data; the demo's
# native rows never override a vendor.
BUILT_IN_RANKS: dict[str, dict[str, int]] = {
    "csv": ranks(crm=40, billing=20),
    "demo": ranks(crm=50, billing=50),
}


def default_priority() -> dict[str, tuple[str, ...]]:
    """Per field, the sources by rank (then name): the installed connectors' and the built-ins'."""
    declared = {name: dict(spec.field_priority) for name, spec in available().items()} | BUILT_IN_RANKS
    fields = sorted({field_name for field_ranks in declared.values() for field_name in field_ranks})
    return {
        field_name: tuple(
            sorted(
                (name for name, field_ranks in declared.items() if field_name in field_ranks),
                key=lambda name: (declared[name][field_name], name),
            )
        )
        for field_name in fields
    }


class PriorityFileError(ValueError):
    """A field priority file that is not a mapping of field to a list of sources."""


@dataclass(frozen=True)
class FieldPriority:
    """Source ranking per field (lower index wins)."""

    order: dict[str, tuple[str, ...]] = field(default_factory=default_priority)

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
    order = default_priority()
    for name, sources in data.items():
        if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
            raise PriorityFileError(f"{path}: field {name!r}: expected a list of source names")
        order[str(name)] = tuple(sources)
    return FieldPriority(order)
