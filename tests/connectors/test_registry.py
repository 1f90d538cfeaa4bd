"""Every connector registered under ``nudge.connectors`` is complete and each capability it
declares builds: settings read from NUDGE_<NAME>_* with secrets as SecretStr, an example in
its docs naming every required variable, an emulator that configures it, and a source,
notifier, write-back, webhook routes or card that really build against that emulator."""

from __future__ import annotations

import tomllib
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from connectors.core.protocols import Notifier, Source, WriteBack
from connectors.core.registry import (
    GROUP,
    ConnectorConfigError,
    ConnectorSpec,
    NotConfiguredError,
    RegistryError,
    available,
    configured,
    get,
    load_spec,
    notifiers,
    secret_values,
)
from connectors.core.webhooks import WebhookRoute

ROOT = Path(__file__).resolve().parents[2]
DECLARED = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"][GROUP]
CONNECTORS_README = (ROOT / "connectors" / "README.md").read_text()
SECRET_WORDS = ("token", "secret", "key", "password")


def entry(name: str) -> EntryPoint:
    return EntryPoint(name=name, value=DECLARED[name], group=GROUP)


def test_every_connector_package_is_declared():
    packages = {p.parent.name for p in (ROOT / "connectors").glob("*/plugin.py")}
    assert packages == set(DECLARED)


def test_installed_connectors_are_the_declared_ones():
    """Once the package is (re)installed its entry points are exactly pyproject's."""
    assert set(available()) == set(DECLARED), "reinstall: pip install -e '.[dev]'"


@pytest.mark.parametrize("name", sorted(DECLARED))
def test_settings_read_nudge_env_and_keep_secrets_secret(name):
    spec = load_spec(entry(name))
    assert issubclass(spec.settings, BaseSettings)
    # NUDGE_<NAME>_* as a rule; a channel may use the contract's names (NUDGE_SMTP_URL)
    assert spec.env_prefix.startswith("NUDGE_")
    for field, info in spec.settings.model_fields.items():
        if any(word in field for word in SECRET_WORDS):
            assert SecretStr in getattr(info.annotation, "__args__", (info.annotation,)), field


@pytest.mark.parametrize("name", sorted(DECLARED))
def test_docs_show_every_required_variable_and_a_use(name):
    spec = load_spec(entry(name))
    assert not spec.is_configured(), "an empty environment configures no connector"
    for variable in spec.missing():
        assert variable in spec.example
        assert variable in CONNECTORS_README
    assert f'get("{name}")' in spec.example
    [row] = [line for line in CONNECTORS_README.splitlines() if line.startswith(f"| `{name}/` |")]
    assert f"| {', '.join(spec.capabilities)} |" in row


@pytest.mark.parametrize("name", sorted(DECLARED))
def test_every_declared_capability_builds_against_the_emulator(name):
    spec = load_spec(entry(name))
    assert spec.emulator is not None, "every connector ships an emulator for the demo and tests"
    assert list((ROOT / "tests" / "connectors" / name).glob("test_*.py"))
    with spec.emulator.serve(spec.emulator.create()) as env:
        assert spec.is_configured(env)
        settings = spec.load_settings(env)
        built = {capability: _build(spec, capability, settings) for capability in spec.capabilities}
        secrets = [value.get_secret_value() for value in _secrets(settings)]
        assert secrets
        assert not any(secret in repr(settings) for secret in secrets)
    assert "source" in built or "notifier" in built or "writeback" in built, "a connector does something"


def _build(spec: ConnectorSpec[Any], capability: str, settings: BaseSettings) -> object:
    if capability == "source":
        source = spec.build_source(settings)
        assert isinstance(source, Source)
        assert source.name == spec.name
        return source
    if capability == "notifier":
        notifier = spec.build_notifier(settings)
        assert isinstance(notifier, Notifier)
        assert notifier.channels
        return notifier
    if capability == "writeback":
        writeback = spec.build_writeback(settings)
        assert isinstance(writeback, WriteBack)
        return writeback
    if capability == "webhooks":
        routes = spec.routes(settings)
        assert routes, "the emulator's settings include the webhook secret"
        assert all(
            isinstance(r, WebhookRoute) and r.path.startswith(f"/integrations/{spec.name}/") for r in routes
        )
        return routes
    if capability == "card":
        return spec.build_card(settings)
    assert capability == "emulator"
    return spec.emulator


def _secrets(settings: BaseSettings) -> list[SecretStr]:
    return [value for value in settings.__dict__.values() if isinstance(value, SecretStr)]


@pytest.mark.parametrize("name", sorted(DECLARED))
def test_profile_facts_rank_fields_and_name_id_fields(name):
    spec = load_spec(entry(name))
    if spec.source is not None:
        assert spec.field_priority, "the profile needs to know which fields this source should win"
    assert all(isinstance(rank, int) for rank in spec.field_priority.values())
    assert all(field.endswith("_id") for field in spec.id_fields)


def test_a_misnamed_entry_point_is_refused():
    wrong = EntryPoint(name="hubspot2", value=DECLARED["hubspot"], group=GROUP)
    with pytest.raises(RegistryError, match="declares the name 'hubspot'"):
        load_spec(wrong)


def test_unknown_connectors_and_capabilities_are_refused_with_what_exists():
    with pytest.raises(
        RegistryError,
        match=r"^unknown connector 'zendesk' \(known: email, hubspot, salesforce, slack, stripe",
    ):
        get("zendesk")
    with pytest.raises(
        RegistryError, match=r"^connector 'salesforce' offers no notifier \(it offers: source, emulator\)$"
    ):
        get("salesforce").build_notifier()
    with pytest.raises(RegistryError, match=r"^unknown capability 'fax'"):
        configured("fax")


def test_configuration_comes_from_the_environment_and_bad_values_name_the_variable(monkeypatch):
    hubspot = get("hubspot")
    assert configured() == {}
    assert notifiers() == {}
    with pytest.raises(NotConfiguredError, match=r"^hubspot is not configured: set NUDGE_HUBSPOT_TOKEN$"):
        hubspot.build_source()
    monkeypatch.setenv("NUDGE_HUBSPOT_TOKEN", "pat-test")
    assert list(configured()) == ["hubspot"]
    assert hubspot.routes() == ()  # no app secret: no route that would accept unverifiable events
    monkeypatch.setenv("NUDGE_HUBSPOT_RATE_LIMIT_REQUESTS", "0")
    with pytest.raises(
        ConnectorConfigError,
        match=r"^invalid hubspot configuration: NUDGE_HUBSPOT_RATE_LIMIT_REQUESTS: Input should be greater",
    ):
        configured()


def test_an_invalid_secret_is_reported_without_its_value():
    with pytest.raises(ConnectorConfigError) as error:
        get("stripe").load_settings(api_key=["sk_live_leaked"])
    assert (
        str(error.value)
        == "invalid stripe configuration: NUDGE_STRIPE_API_KEY: Input should be a valid string"
    )


class RelaySettings(BaseSettings):
    """A channel whose variables are all optional and partly named by the contract."""

    model_config = SettingsConfigDict(env_prefix="NUDGE_RELAY_", extra="ignore")

    url: SecretStr | None = Field(default=None, validation_alias="NUDGE_RELAY_ADDRESS")
    sender: str | None = None


RELAY = ConnectorSpec(
    name="relay",
    settings=RelaySettings,
    example="export NUDGE_RELAY_ADDRESS=... NUDGE_RELAY_SENDER=...",
    configured=lambda settings: settings.url is not None and settings.sender is not None,
)


def test_a_connector_with_optional_variables_says_when_it_is_configured(monkeypatch):
    assert not RELAY.is_configured()
    with pytest.raises(
        NotConfiguredError, match=r"^relay is not configured \(its variables: connectors/README.md\)$"
    ):
        RELAY.ready_settings()
    env = {"NUDGE_RELAY_ADDRESS": "smtp://relay.example", "NUDGE_RELAY_SENDER": "nudge@example.com"}
    assert RELAY.is_configured(env)
    monkeypatch.setenv("NUDGE_RELAY_ADDRESS", "smtp://relay.example")
    monkeypatch.setenv("NUDGE_RELAY_SENDER", "nudge@example.com")
    assert secret_values(RELAY.ready_settings()) == {"NUDGE_RELAY_ADDRESS": SecretStr("smtp://relay.example")}
