"""The link-signing key: NUDGE_SECRET_KEY, or one generated once for development."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from agent.app import create_app
from agent.db.database import Database
from agent.links.secret import signing_key
from agent.settings import Settings, SettingsError


def test_development_generates_a_key_once_readable_only_by_its_owner(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", environment="development")
    first = signing_key(settings)
    assert len(first) >= 48
    assert signing_key(settings) == first
    path = tmp_path / "home" / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(path.parent.iterdir()) == [path]


def test_a_configured_key_is_used_as_is(tmp_path: Path) -> None:
    key = "s" * 40
    settings = Settings(home=tmp_path, secret_key=SecretStr(key), environment="production")
    assert signing_key(settings) == key.encode()
    assert not (tmp_path / "secret_key").exists()


def test_production_without_a_key_is_refused_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        signing_key(Settings(home=tmp_path, environment="production"))
    assert str(caught.value) == (
        "NUDGE_SECRET_KEY is not set: production needs it to sign e-mail action links (and every "
        "replica the same one); generate one with "
        "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
    )


def test_a_short_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"^NUDGE_SECRET_KEY is too short \(8 characters; at least 32\)"):
        signing_key(Settings(home=tmp_path, secret_key=SecretStr("hunter22")))


def test_the_app_does_not_start_in_production_without_a_key(tmp_path: Path, database: Database) -> None:
    with pytest.raises(SettingsError, match=r"^NUDGE_SECRET_KEY is not set: production needs it"):
        create_app(settings=Settings(home=tmp_path, environment="production"), database=database)
