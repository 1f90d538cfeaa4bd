"""The connector registry: plugins declared as entry points in the ``nudge.connectors`` group.

A connector package exposes a :class:`ConnectorSpec` and registers it in pyproject.toml::

    [project.entry-points."nudge.connectors"]
    hubspot = "connectors.hubspot.plugin:CONNECTOR"

so a new integration is one new sub-package plus one line, and tests can walk them all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from pydantic_settings import BaseSettings

from connectors.core.protocols import Notifier, Source

GROUP = "nudge.connectors"


class RegistryError(LookupError):
    """A connector that is unknown or registered wrongly."""


@dataclass(frozen=True)
class ConnectorSpec:
    """What a connector offers and how to build it from its settings."""

    name: str
    settings: type[BaseSettings]
    example: str
    build_source: Callable[[Any], Source] | None = None
    # Builds the connector's notifier from its settings, or None while it is not configured.
    build_notifier: Callable[[Any], Notifier | None] | None = None
    webhook_path: str | None = None

    def source(self, **overrides: Any) -> Source:
        """A source built from the environment (``NUDGE_<NAME>_*``), with explicit overrides."""
        if self.build_source is None:
            raise RegistryError(f"connector {self.name!r} offers no source")
        return self.build_source(self.settings(**overrides))

    def notifier(self, **overrides: Any) -> Notifier | None:
        """The connector's notifier if it offers one and its settings configure it."""
        if self.build_notifier is None:
            return None
        return self.build_notifier(self.settings(**overrides))


def load_spec(entry: EntryPoint) -> ConnectorSpec:
    """Load one entry point and check it is a spec registered under its own name."""
    spec = entry.load()
    if not isinstance(spec, ConnectorSpec):
        raise RegistryError(f"entry point {entry.name} = {entry.value} is not a ConnectorSpec")
    if spec.name != entry.name:
        raise RegistryError(f"entry point {entry.name} = {entry.value} declares the name {spec.name!r}")
    return spec


def available() -> dict[str, ConnectorSpec]:
    """Every installed connector, by name (reinstall the package after adding one)."""
    return {entry.name: load_spec(entry) for entry in entry_points(group=GROUP)}


def get(name: str) -> ConnectorSpec:
    """One installed connector by name, with the known names in the error."""
    connectors = available()
    if name not in connectors:
        known = ", ".join(sorted(connectors)) or "none installed"
        raise RegistryError(f"unknown connector {name!r} (known: {known})")
    return connectors[name]


def notifiers(overrides: Mapping[str, Notifier] | None = None) -> dict[str, Notifier]:
    """The notifier serving each channel: every configured connector's, then ``overrides``."""
    served: dict[str, Notifier] = {}
    for _, spec in sorted(available().items()):
        notifier = spec.notifier()
        if notifier is not None:
            served.update(dict.fromkeys(notifier.channels, notifier))
    served.update(overrides or {})
    return served
