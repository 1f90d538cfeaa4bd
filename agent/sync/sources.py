"""Which connectors are configured (``NUDGE_<SOURCE>_*``) and building their sources."""

from __future__ import annotations

from agent.settings import Settings
from connectors.core.protocols import Source
from connectors.core.registry import get

# The settings each source needs before it can be asked for anything.
REQUIRED_SETTINGS: dict[str, tuple[str, ...]] = {
    "hubspot": ("hubspot_token",),
    "salesforce": ("salesforce_instance_url", "salesforce_token"),
    "stripe": ("stripe_api_key",),
}


class SourceNotConfiguredError(LookupError):
    """A sync was asked of a source whose credentials are not set."""


def missing_settings(settings: Settings, name: str) -> list[str]:
    """The ``NUDGE_*`` variables ``name`` still needs (an unknown source raises)."""
    if name not in REQUIRED_SETTINGS:
        known = ", ".join(sorted(REQUIRED_SETTINGS))
        raise SourceNotConfiguredError(f"unknown source {name!r} (known: {known})")
    return [f"NUDGE_{field.upper()}" for field in REQUIRED_SETTINGS[name] if not getattr(settings, field)]


def configured_sources(settings: Settings) -> list[str]:
    """Sources whose credentials are all set."""
    return [name for name in REQUIRED_SETTINGS if not missing_settings(settings, name)]


def build_source(settings: Settings, name: str) -> Source:
    """The connector's source, configured from the environment."""
    if missing := missing_settings(settings, name):
        raise SourceNotConfiguredError(f"{name} is not configured: set {', '.join(missing)}")
    return get(name).source()
