"""HubSpot connector settings (``NUDGE_HUBSPOT_*``)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

HUBSPOT_API = "https://api.hubapi.com"


class HubSpotSettings(BaseSettings):
    """How to reach a HubSpot portal and how hard to push it."""

    model_config = SettingsConfigDict(
        env_prefix="NUDGE_HUBSPOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    token: SecretStr = Field(description="Private-app or OAuth access token")
    base_url: str | None = Field(default=None, description="Unset means the real HubSpot API")
    client_secret: SecretStr | None = Field(default=None, description="App secret for webhook signatures")
    rate_limit_requests: int = Field(default=100, ge=1, description="Requests allowed per window (tier)")
    rate_limit_window_seconds: float = Field(default=10.0, gt=0)
    timeout_seconds: float = Field(default=30.0, gt=0)
    max_attempts: int = Field(default=8, ge=1)
    backoff_seconds: float = Field(default=0.5, ge=0)
    max_backoff_seconds: float = Field(default=60.0, ge=0)
    # HubSpot's search index trails writes by a few seconds: start each incremental window
    # this much before the previous run began so a late-indexed change is not skipped.
    search_lag_seconds: float = Field(default=30.0, ge=0)

    @property
    def host(self) -> str:
        """The API root the client library is pointed at."""
        return (self.base_url or HUBSPOT_API).rstrip("/")
