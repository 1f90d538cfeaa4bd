"""Local vendor emulators by connector name, for ``nudge demo`` and end-to-end tests.

Each connector's spec says how to create and serve its emulator (``spec.emulator``)::

    hubspot = get("hubspot").emulator.create()
    hubspot.seed(owners=..., companies=..., contacts=..., deals=...)
    with run_local_vendors(hubspot=hubspot, stripe=stripe) as vendors:
        os.environ.update(vendors.env())          # or vendors.sources() to pull directly
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from connectors.core.protocols import Source
from connectors.core.registry import ConnectorSpec, RegistryError, available


@dataclass
class LocalVendors:
    """Running emulators by connector name, and the variables pointing Nudge at each."""

    emulators: dict[str, Any] = field(default_factory=dict)
    variables: dict[str, dict[str, str]] = field(default_factory=dict)
    specs: dict[str, ConnectorSpec[Any]] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        """``NUDGE_*`` variables that point a Nudge process at these emulators."""
        return {name: value for variables in self.variables.values() for name, value in variables.items()}

    def sources(self) -> dict[str, Source]:
        """A source per running emulator whose connector pulls, configured explicitly from
        the emulator's variables (they win over the process environment)."""
        return {
            name: spec.build_source(spec.load_settings(self.variables[name]))
            for name, spec in self.specs.items()
            if spec.source is not None
        }


@contextlib.contextmanager
def run_local_vendors(**emulators: Any) -> Iterator[LocalVendors]:
    """Serve the given emulators (keyword = connector name) on free local ports until exit."""
    registered = available()
    vendors = LocalVendors()
    with contextlib.ExitStack() as stack:
        for name, emulator in emulators.items():
            spec = registered.get(name)
            if spec is None or spec.emulator is None:
                raise RegistryError(f"no connector {name!r} with an emulator is installed")
            vendors.variables[name] = stack.enter_context(spec.emulator.serve(emulator))
            vendors.emulators[name], vendors.specs[name] = emulator, spec
        yield vendors
