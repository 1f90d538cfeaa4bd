"""Nudge settings: ``NUDGE_`` environment variables and an optional ``.env`` file."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset({"changeme", "change-me", "secret", "password", "xxx", "todo"})


class SettingsError(ValueError):
    """A configuration mistake explained for a person: which variable and how to fix it."""


class Settings(BaseSettings):
    """Everything Nudge reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix="NUDGE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Literal["development", "test", "production"] = "development"
    home: Path = Path(".nudge")
    database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    reporting_currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    # Units of the reporting currency per unit of each other currency, as JSON:
    # NUDGE_FX_RATES='{"EUR": 1.08, "GBP": 1.27}'. Totals across currencies need them.
    fx_rates: dict[str, float] = Field(default_factory=dict)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    cycle_interval_minutes: int = Field(default=15, ge=1)
    sync_interval_minutes: int = Field(default=15, ge=1)
    # A job that could not start on time (process asleep, busy) still runs this late, once.
    job_misfire_grace_seconds: int = Field(default=300, ge=1)
    # Days a payment may take to arrive after the promised date before the promise is broken.
    promise_grace_days: int = Field(default=3, ge=0)
    # Pin "today" (YYYY-MM-DD) for reproducible demos and tests; unset means the UTC date.
    as_of: date | None = None
    # YAML of per-field source priorities for account fields (see agent/profile/priority.py).
    field_priority_file: Path | None = None
    # Where web forms may be posted from besides this server's own address (CSRF check).
    public_url: str | None = None
    # Signs e-mail action links (HMAC). Development generates one in NUDGE_HOME/secret_key.
    secret_key: SecretStr | None = None
    # Hours an e-mail action link (acknowledge, snooze) stays usable.
    link_ttl_hours: int = Field(default=72, ge=1)
    # Delivery: the local hour of each person's morning digest, how often `nudge serve`
    # drains the outbox, attempts before a message is `failed`, and how long a worker's
    # claim on a message lasts before another worker may take it over.
    digest_hour: int = Field(default=8, ge=0, le=23)
    delivery_interval_seconds: int = Field(default=30, ge=1)
    delivery_max_attempts: int = Field(default=5, ge=1)
    delivery_lease_seconds: int = Field(default=300, ge=1)
    # Largest request body accepted (413 beyond it), counted as it streams.
    max_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)

    @field_validator("fx_rates")
    @classmethod
    def _positive_rates(cls, value: dict[str, float]) -> dict[str, float]:
        for currency, rate in value.items():
            if len(currency) != 3 or not currency.isupper() or rate <= 0:
                raise ValueError(f"{currency}={rate}: expected a 3-letter code and a positive rate")
        return value

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            # psycopg 3 is the only PostgreSQL driver we install.
            return "postgresql+psycopg://" + value.split("://", 1)[1]
        if not value.startswith(("sqlite", "postgresql+psycopg://")):
            raise ValueError(
                "must start with 'sqlite:///' or 'postgresql+psycopg://' "
                "(e.g. postgresql+psycopg://user@127.0.0.1:5432/nudge)"
            )
        return value

    @model_validator(mode="after")
    def _no_placeholder_secrets(self) -> Settings:
        if self.environment == "production":
            refuse_placeholders({f"NUDGE_{name.upper()}": value for name, value in self.__dict__.items()})
        return self

    def today(self) -> date:
        """The book's as-of date: ``NUDGE_AS_OF`` or today's UTC date."""
        return self.as_of or datetime.now(UTC).date()

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to an SQLite file under ``home``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'nudge.db').resolve()}"

    @property
    def base_url(self) -> str:
        """Where people reach the web app: ``NUDGE_PUBLIC_URL`` or this server's address."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


def refuse_placeholders(values: dict[str, object]) -> None:
    """Raise if a secret (by variable name) holds a placeholder such as ``changeme``."""
    for variable, value in values.items():
        if isinstance(value, SecretStr) and value.get_secret_value().lower() in PLACEHOLDER_SECRETS:
            raise ValueError(
                f"{variable} holds a placeholder value; set the real secret or unset it in production"
            )


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning validation errors into one readable :class:`SettingsError`.

    In production, the configured connectors' secrets (``NUDGE_<VENDOR>_*``, read by each
    connector's own settings class) are checked for placeholders too.
    """
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"]) or "settings"
            variable = f"NUDGE_{field.upper()}" if error["loc"] else field
            lines.append(f"{variable}: {error['msg']} (got {error.get('input')!r})")
        raise SettingsError("invalid configuration:\n  " + "\n  ".join(lines)) from None
    if settings.environment == "production":
        _check_connector_secrets()
    return settings


def _check_connector_secrets() -> None:
    from connectors.core.registry import ConnectorConfigError, configured, secret_values

    try:
        for spec in configured().values():
            refuse_placeholders(dict(secret_values(spec.load_settings())))
    except (ValueError, ConnectorConfigError) as exc:
        raise SettingsError(f"invalid configuration:\n  {exc}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings (tests clear the cache with ``get_settings.cache_clear()``)."""
    return load_settings()
