"""Stripe connector settings (``NUDGE_STRIPE_*``)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

STRIPE_API = "https://api.stripe.com"


class StripeSettings(BaseSettings):
    """How to reach a Stripe account and how hard to push it."""

    model_config = SettingsConfigDict(
        env_prefix="NUDGE_STRIPE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    api_key: SecretStr = Field(description="Secret or restricted key (read access suffices)")
    base_url: str | None = Field(default=None, description="Unset means the real Stripe API")
    webhook_secret: SecretStr | None = Field(default=None, description="whsec_... of the webhook endpoint")
    webhook_tolerance_seconds: int = Field(default=300, ge=1)
    rate_limit_requests: int = Field(
        default=25, ge=1, description="Requests allowed per window (test mode: 25/s)"
    )
    rate_limit_window_seconds: float = Field(default=1.0, gt=0)
    timeout_seconds: float = Field(default=30.0, gt=0)
    max_attempts: int = Field(default=8, ge=1)
    backoff_seconds: float = Field(default=0.5, ge=0)
    max_backoff_seconds: float = Field(default=60.0, ge=0)

    @property
    def host(self) -> str:
        """The API root the client library is pointed at."""
        return (self.base_url or STRIPE_API).rstrip("/")
