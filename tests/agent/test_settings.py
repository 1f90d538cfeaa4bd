"""Settings read from the environment, with readable errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from agent.settings import SettingsError, load_settings


def test_defaults_put_an_sqlite_file_under_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NUDGE_HOME", str(tmp_path / "h"))
    settings = load_settings()
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'h' / 'nudge.db'}"
    assert settings.port == 8000


def test_plain_postgres_urls_use_psycopg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUDGE_DATABASE_URL", "postgresql://nudge@db:5432/nudge")
    assert load_settings().resolved_database_url == "postgresql+psycopg://nudge@db:5432/nudge"


def test_bad_values_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUDGE_PORT", "eighty")
    monkeypatch.setenv("NUDGE_DATABASE_URL", "mysql://x")
    with pytest.raises(SettingsError) as error:
        load_settings()
    message = str(error.value)
    assert "NUDGE_PORT: Input should be a valid integer" in message
    assert (
        "NUDGE_DATABASE_URL: Value error, must start with 'sqlite:///' or 'postgresql+psycopg://'" in message
    )


def test_placeholder_secrets_are_refused_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUDGE_STRIPE_API_KEY", "changeme")  # a connector's own settings
    assert load_settings().environment == "development"
    monkeypatch.setenv("NUDGE_ENVIRONMENT", "production")
    with pytest.raises(SettingsError, match="NUDGE_STRIPE_API_KEY holds a placeholder value"):
        load_settings()


def test_env_file_is_read_and_as_of_pins_today(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("NUDGE_AS_OF=2026-03-31\nNUDGE_PORT=9100\n")
    settings = load_settings()
    assert (settings.today(), settings.port) == (date(2026, 3, 31), 9100)


def test_fx_rates_are_read_as_json_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUDGE_FX_RATES", '{"EUR": 1.08, "GBP": 1.27}')
    assert load_settings().fx_rates == {"EUR": 1.08, "GBP": 1.27}
    monkeypatch.setenv("NUDGE_FX_RATES", '{"EUR": -1}')
    with pytest.raises(SettingsError, match=r"NUDGE_FX_RATES: Value error, EUR=-1\.0: expected"):
        load_settings()
