"""The connector registry: plugins declared as entry points in the ``nudge.connectors`` group.

A connector package exposes a :class:`ConnectorSpec` and registers it in its pyproject.toml::

    [project.entry-points."nudge.connectors"]
    hubspot = "connectors.hubspot.plugin:CONNECTOR"

The spec declares what the connector offers, each capability optional (a source, a
notifier, a write-back, inbound webhooks, a card payload, an emulator) and what the
profile needs from it (field priorities, explicit-id fields). The application reaches
vendors only through :func:`available`, :func:`get`, :func:`configured` and
:func:`notifiers`, so a new integration is one new package and one entry point.

A connector is *configured* when its settings class loads from the environment
(``NUDGE_<NAME>_*``) and the spec's ``configured(settings)`` holds: a missing required
variable means not configured; a present but invalid value is an error naming the
variable. Plugin modules stay light (builders import the vendor's client library when
called), so listing connectors is cheap.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Generic, TypeVar

from pydantic import SecretStr, ValidationError
from pydantic_settings import BaseSettings

from connectors.core.protocols import Notifier, Source, WriteBack
from connectors.core.webhooks import WebhookRoute

GROUP = "nudge.connectors"
# A connector's name is its records' ``source`` and the profile stores it in 32 characters.
NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
CAPABILITIES = ("source", "notifier", "writeback", "webhooks", "card", "emulator")

S = TypeVar("S", bound=BaseSettings)

# The context payload (``GET /api/v1/context``) turned into the vendor's card format.
CardRenderer = Callable[[Mapping[str, Any]], dict[str, Any]]


class RegistryError(LookupError):
    """A connector that is unknown, registered wrongly, or asked for what it does not offer."""


class NotConfiguredError(RegistryError):
    """A connector whose required ``NUDGE_<NAME>_*`` variables are not set."""


class ConnectorConfigError(ValueError):
    """A connector variable that is set but invalid (the message names the variable)."""


@dataclass(frozen=True)
class EmulatorSpec:
    """The vendor's local emulator: ``create()`` an empty one (it has ``seed(**rows)``),
    ``serve(emulator)`` it on a free loopback port, yielding the ``NUDGE_*`` variables that
    point a Nudge process at it."""

    create: Callable[[], Any]
    serve: Callable[[Any], AbstractContextManager[dict[str, str]]]


def settings_loaded(_settings: BaseSettings) -> bool:
    """The default readiness test: settings that loaded have every required variable."""
    return True


@dataclass(frozen=True)
class ConnectorSpec(Generic[S]):
    """What a connector offers; each builder takes the connector's loaded settings."""

    name: str
    settings: type[S]
    example: str  # shell and Python showing the variables and a use; the docs quote it
    # Whether loaded settings are enough to use the connector. A missing required field
    # already means "not configured"; a connector whose variables are all optional says here
    # when they are (e-mail: the relay and the sender together).
    configured: Callable[[S], bool] = settings_loaded
    source: Callable[[S], Source] | None = None
    notifier: Callable[[S], Notifier] | None = None
    writeback: Callable[[S], WriteBack] | None = None
    # The inbound routes this configuration serves (empty while e.g. no secret is set).
    webhooks: Callable[[S], Sequence[WebhookRoute]] | None = None
    card: Callable[[S], CardRenderer] | None = None
    emulator: EmulatorSpec | None = None
    # Rank of this vendor for each account field it writes (lower wins; see agent/profile/priority.py).
    field_priority: Mapping[str, int] = field(default_factory=dict)
    # Keys of ``AccountRecord.other_ids`` that hold this vendor's id when another system
    # stores it (a ``stripe_customer_id`` on a CRM company), used by entity resolution.
    id_fields: tuple[str, ...] = ()

    @property
    def capabilities(self) -> tuple[str, ...]:
        """The capabilities this connector declares, in :data:`CAPABILITIES` order."""
        return tuple(name for name in CAPABILITIES if getattr(self, name) is not None)

    @property
    def env_prefix(self) -> str:
        """``NUDGE_<NAME>_``: where the settings class reads its variables."""
        return str(self.settings.model_config.get("env_prefix", ""))

    def load_settings(self, env: Mapping[str, str] | None = None, **overrides: Any) -> S:
        """Settings from the environment; ``env`` (``NUDGE_*`` names) and ``overrides`` win over it.

        Raises :class:`NotConfiguredError` naming the required variables that are missing,
        :class:`ConnectorConfigError` naming those with a bad value.
        """
        values = {**_fields_from(env or {}, self.settings), **overrides}
        try:
            return self.settings(**values)
        except ValidationError as exc:
            missing = self._variables(exc, missing=True)
            if missing and len(missing) == len(exc.errors()):
                raise NotConfiguredError(f"{self.name} is not configured: set {', '.join(missing)}") from None
            problems = [
                f"{self._variable(e['loc'])}: {e['msg']}{self._got(e['loc'], e.get('input'))}"
                for e in exc.errors()
                if e["type"] != "missing"
            ]
            raise ConnectorConfigError(f"invalid {self.name} configuration: " + "; ".join(problems)) from None

    def missing(self, env: Mapping[str, str] | None = None) -> list[str]:
        """The required variables that are not set."""
        try:
            self.settings(**_fields_from(env or {}, self.settings))
        except ValidationError as exc:
            return self._variables(exc, missing=True)
        return []

    def is_configured(self, env: Mapping[str, str] | None = None) -> bool:
        """Whether the environment (or ``env``) configures the connector; a bad value raises."""
        try:
            return self.configured(self.load_settings(env))
        except NotConfiguredError:
            return False

    def ready_settings(self, settings: S | None = None) -> S:
        """``settings`` (default: the environment's), checked to configure the connector."""
        loaded = self.load_settings() if settings is None else settings
        if not self.configured(loaded):
            raise NotConfiguredError(f"{self.name} is not configured (its variables: connectors/README.md)")
        return loaded

    def build_source(self, settings: S | None = None) -> Source:
        """The connector's source (settings default to the environment's)."""
        return self._require("source", self.source)(self.ready_settings(settings))

    def build_notifier(self, settings: S | None = None) -> Notifier:
        """The connector's notifier (settings default to the environment's)."""
        return self._require("notifier", self.notifier)(self.ready_settings(settings))

    def build_writeback(self, settings: S | None = None) -> WriteBack:
        """The connector's write-back (settings default to the environment's)."""
        return self._require("writeback", self.writeback)(self.ready_settings(settings))

    def routes(self, settings: S | None = None) -> Sequence[WebhookRoute]:
        """The inbound webhook routes this configuration serves."""
        return self._require("webhooks", self.webhooks)(self.ready_settings(settings))

    def build_card(self, settings: S | None = None) -> CardRenderer:
        """The connector's card renderer (settings default to the environment's)."""
        return self._require("card", self.card)(self.ready_settings(settings))

    def _require(self, capability: str, builder: Callable[[S], Any] | None) -> Callable[[S], Any]:
        if builder is None:
            offered = ", ".join(self.capabilities) or "nothing"
            raise RegistryError(f"connector {self.name!r} offers no {capability} (it offers: {offered})")
        return builder

    def _got(self, loc: tuple[int | str, ...], value: object) -> str:
        """`` (got 'x')``, except for a secret's value, which is never shown."""
        variables = _variables_of(self.settings)
        field_name = next((name for name, variable in variables.items() if loc and variable == loc[0]), None)
        field_info = self.settings.model_fields.get(field_name or (str(loc[0]) if loc else ""))
        annotation = repr(field_info.annotation) if field_info else ""
        return "" if "SecretStr" in annotation else f" (got {value!r})"

    def _variable(self, loc: tuple[int | str, ...]) -> str:
        if not loc:
            return self.env_prefix.rstrip("_")
        return _variables_of(self.settings).get(str(loc[0]), str(loc[0]))

    def _variables(self, exc: ValidationError, *, missing: bool) -> list[str]:
        return [self._variable(e["loc"]) for e in exc.errors() if (e["type"] == "missing") == missing]


def _variables_of(settings: type[BaseSettings]) -> dict[str, str]:
    """Each field's environment variable: its string ``validation_alias`` (``NUDGE_SMTP_URL``)
    or ``<env_prefix><FIELD>``; alias keys map to themselves, as pydantic reports them."""
    prefix = str(settings.model_config.get("env_prefix", ""))
    variables = {}
    for name, info in settings.model_fields.items():
        alias = info.validation_alias
        variables[name] = alias if isinstance(alias, str) else f"{prefix}{name.upper()}"
        if isinstance(alias, str):
            variables[alias] = alias
    return variables


def _fields_from(env: Mapping[str, str], settings: type[BaseSettings]) -> dict[str, Any]:
    """``{"NUDGE_STRIPE_API_KEY": "sk"}`` -> ``{"api_key": "sk"}`` for the class's own fields
    (keyed by the alias where a field has one, which pydantic always accepts)."""
    variables = _variables_of(settings)
    fields: dict[str, Any] = {}
    for name, info in settings.model_fields.items():
        if variables[name] in env:
            alias = info.validation_alias
            fields[alias if isinstance(alias, str) else name] = env[variables[name]]
    return fields


def secret_values(settings: BaseSettings) -> dict[str, SecretStr]:
    """A connector's loaded secrets by variable name (to mask in logs, to vet in production)."""
    variables = _variables_of(type(settings))
    return {
        variables[name]: value for name, value in settings.__dict__.items() if isinstance(value, SecretStr)
    }


def load_spec(entry: EntryPoint) -> ConnectorSpec[Any]:
    """Load one entry point and check it is a spec registered under its own name."""
    spec = entry.load()
    if not isinstance(spec, ConnectorSpec):
        raise RegistryError(f"entry point {entry.name} = {entry.value} is not a ConnectorSpec")
    if spec.name != entry.name:
        raise RegistryError(f"entry point {entry.name} = {entry.value} declares the name {spec.name!r}")
    if not NAME.match(spec.name):
        raise RegistryError(f"connector name {spec.name!r}: use 1-32 lower-case letters, digits or _")
    return spec


def available() -> dict[str, ConnectorSpec[Any]]:
    """Every installed connector, by name (reinstall the package after adding one)."""
    return {entry.name: load_spec(entry) for entry in sorted(entry_points(group=GROUP), key=_name)}


def _name(entry: EntryPoint) -> str:
    return entry.name


def get(name: str) -> ConnectorSpec[Any]:
    """One installed connector by name, with the known names in the error."""
    connectors = available()
    if name not in connectors:
        known = ", ".join(sorted(connectors)) or "none installed"
        raise RegistryError(f"unknown connector {name!r} (known: {known})")
    return connectors[name]


def configured(capability: str | None = None) -> dict[str, ConnectorSpec[Any]]:
    """The connectors whose settings are configured (and that offer ``capability``, if given)."""
    if capability is not None and capability not in CAPABILITIES:
        raise RegistryError(f"unknown capability {capability!r} (known: {', '.join(CAPABILITIES)})")
    return {
        name: spec
        for name, spec in available().items()
        if (capability is None or capability in spec.capabilities) and spec.is_configured()
    }


def notifiers(overrides: Mapping[str, Notifier] | None = None) -> dict[str, Notifier]:
    """The notifier serving each outbox channel, from the configured connectors; ``overrides``
    (channel -> notifier) replace them. Two connectors serving one channel is an error."""
    served: dict[str, Notifier] = {}
    owner: dict[str, str] = {}
    for name, spec in configured("notifier").items():
        notifier = spec.build_notifier()
        for channel in notifier.channels:
            if channel in served:
                raise RegistryError(f"channel {channel!r} is served by both {owner[channel]} and {name}")
            served[channel], owner[channel] = notifier, name
    return served | dict(overrides or {})
