"""Slack connector settings (``NUDGE_SLACK_*``)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

SLACK_API = "https://slack.com/api/"


class SlackSettings(BaseSettings):
    """The bot's token, the app's signing secret, and how hard to push Slack."""

    model_config = SettingsConfigDict(
        env_prefix="NUDGE_SLACK_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    bot_token: SecretStr = Field(description="xoxb-... bot token of the installed app")
    signing_secret: SecretStr | None = Field(
        default=None, description="Signing secret: mounts /integrations/slack/interactions and /events"
    )
    app_token: SecretStr | None = Field(
        default=None, description="xapp-... token: Socket Mode instead of HTTP"
    )
    base_url: str | None = Field(default=None, description="Unset means the real Slack Web API")
    signature_tolerance_seconds: int = Field(default=300, ge=1)
    # Slack allows chat.postMessage about once per second per channel (bursts are tolerated).
    post_interval_seconds: float = Field(default=1.0, ge=0)
    timeout_seconds: float = Field(default=10.0, gt=0)
    lookup_cache_seconds: float = Field(default=3600.0, ge=0)

    @property
    def api_url(self) -> str:
        """The Web API root the WebClient is pointed at (with its trailing slash)."""
        return (self.base_url or SLACK_API).rstrip("/") + "/"
