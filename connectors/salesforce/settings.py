"""Salesforce connector settings (``NUDGE_SALESFORCE_*``)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from connectors.salesforce.facts import API_VERSION


class SalesforceSettings(BaseSettings):
    """How to reach a Salesforce org and how much of its daily API allocation to use."""

    model_config = SettingsConfigDict(
        env_prefix="NUDGE_SALESFORCE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    instance_url: str = Field(description="e.g. https://acme.my.salesforce.com")
    token: SecretStr = Field(description="OAuth access token (session id)")
    api_version: str = API_VERSION
    ca_bundle: str | None = Field(default=None, description="CA file to trust (the emulator's certificate)")
    daily_api_budget: int | None = Field(
        default=None, ge=1, description="Stop once the org's 24 h API usage reaches this many calls"
    )
    max_api_usage_percent: float = Field(
        default=80.0,
        gt=0,
        le=100,
        description="Budget as a share of the org's allocation when no absolute budget",
    )
    bulk_threshold: int = Field(
        default=50_000, ge=1, description="Initial loads larger than this use Bulk API 2.0"
    )
    bulk_page_size: int = Field(default=50_000, ge=1)
    bulk_poll_seconds: float = Field(default=2.0, ge=0)
    timeout_seconds: float = Field(default=60.0, gt=0)
    max_attempts: int = Field(default=8, ge=1)
    backoff_seconds: float = Field(default=0.5, ge=0)
    max_backoff_seconds: float = Field(default=60.0, ge=0)
