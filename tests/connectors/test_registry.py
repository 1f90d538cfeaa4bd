"""Every connector registered under ``nudge.connectors`` is complete: settings with secrets
as SecretStr read from NUDGE_<NAME>_*, a documented example, a test package, a source or a
notifier."""

from __future__ import annotations

import tomllib
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from pydantic import SecretStr
from pydantic_settings import BaseSettings

from connectors.core.protocols import Notifier, Source
from connectors.core.registry import GROUP, RegistryError, available, load_spec

ROOT = Path(__file__).resolve().parents[2]
DECLARED = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"][GROUP]
SECRET_WORDS = ("token", "secret", "key", "password")
REQUIRED_FOR_TEST = {
    "hubspot": {"NUDGE_HUBSPOT_TOKEN": "pat-test"},
    "salesforce": {
        "NUDGE_SALESFORCE_INSTANCE_URL": "https://acme.my.salesforce.com",
        "NUDGE_SALESFORCE_TOKEN": "00D!x",
    },
    "stripe": {"NUDGE_STRIPE_API_KEY": "sk_test_x"},
    "email": {"NUDGE_SMTP_URL": "smtp://nudge:sk_test_x@127.0.0.1:2525", "NUDGE_EMAIL_FROM": "n@nudge.dev"},
}


def entry(name: str) -> EntryPoint:
    return EntryPoint(name=name, value=DECLARED[name], group=GROUP)


def test_every_connector_package_with_a_source_or_a_notifier_is_registered():
    packages = {p.parent.name for p in (ROOT / "connectors").glob("*/source.py")}
    packages |= {p.parent.name for p in (ROOT / "connectors").glob("*/notifier.py")}
    assert packages == set(DECLARED)


@pytest.mark.parametrize("name", sorted(DECLARED))
def test_settings_read_nudge_env_and_keep_secrets_secret(name, monkeypatch):
    spec = load_spec(entry(name))
    assert issubclass(spec.settings, BaseSettings)
    assert spec.settings.model_config.get("env_prefix") == f"NUDGE_{name.upper()}_"
    for field, info in spec.settings.model_fields.items():
        if any(word in field for word in SECRET_WORDS):
            assert SecretStr in getattr(info.annotation, "__args__", (info.annotation,)), field
    for variable, value in REQUIRED_FOR_TEST[name].items():
        monkeypatch.setenv(variable, value)
    settings = spec.settings()
    assert "pat-test" not in repr(settings)
    assert "sk_test_x" not in repr(settings)
    if spec.build_source is not None:
        assert isinstance(spec.source(), Source)
    if spec.build_notifier is not None:
        assert isinstance(spec.notifier(), Notifier)


@pytest.mark.parametrize("name", sorted(DECLARED))
def test_example_documents_every_required_variable(name):
    spec = load_spec(entry(name))
    required = [f for f, info in spec.settings.model_fields.items() if info.is_required()]
    for field in required:
        assert f"NUDGE_{name.upper()}_{field.upper()}" in spec.example
    for variable in REQUIRED_FOR_TEST[name]:
        assert variable in spec.example
    assert f'get("{name}")' in spec.example


@pytest.mark.parametrize("name", sorted(DECLARED))
def test_connector_has_a_test_package_and_an_emulator(name):
    assert list((ROOT / "tests" / "connectors" / name).glob("test_*.py"))
    assert (ROOT / "connectors" / name / "emulator.py").exists()


def test_a_misnamed_entry_point_is_refused():
    wrong = EntryPoint(name="hubspot2", value=DECLARED["hubspot"], group=GROUP)
    with pytest.raises(RegistryError, match="declares the name 'hubspot'"):
        load_spec(wrong)


def test_installed_connectors_are_the_declared_ones():
    """Once the package is (re)installed its entry points are exactly pyproject's."""
    assert set(available()) <= set(DECLARED)
