"""E-mail connector settings: ``NUDGE_SMTP_URL``, ``NUDGE_EMAIL_FROM`` and ``NUDGE_EMAIL_*``.

The SMTP URL carries the password, so the whole URL is a secret: it is parsed only when a
notifier is built (:func:`parse_smtp_url`), and a mistake in it is reported without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_PORTS = {"smtp": 587, "smtps": 465}
TRUE_WORDS, FALSE_WORDS = frozenset({"true", "1", "yes"}), frozenset({"false", "0", "no"})


class SmtpUrlError(ValueError):
    """``NUDGE_SMTP_URL`` cannot be used; the message never repeats the password."""


class EmailSettings(BaseSettings):
    """Where to hand e-mail over (an SMTP relay), as whom, and how fast."""

    model_config = SettingsConfigDict(
        env_prefix="NUDGE_EMAIL_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    smtp_url: SecretStr | None = Field(
        default=None,
        validation_alias="NUDGE_SMTP_URL",
        description="smtp://user:password@host:587?starttls=true, or smtps://... for implicit TLS",
    )
    from_address: str | None = Field(
        default=None,
        validation_alias="NUDGE_EMAIL_FROM",
        description='Sender, e.g. "Nudge <nudge@example.com>"',
    )

    @property
    def configured(self) -> bool:
        """Whether both the relay and the sender are set."""
        return bool(self.smtp_url and self.smtp_url.get_secret_value() and self.from_address)

    rate_limit: float | None = Field(
        default=None, gt=0, description="Messages per second the relay accepts (unset: no pacing)"
    )
    timeout_seconds: float = Field(default=30.0, gt=0)
    ca_file: Path | None = Field(
        default=None, description="CA bundle that signed the relay's certificate (a private CA)"
    )


@dataclass(frozen=True)
class SmtpTarget:
    """An SMTP relay parsed from ``NUDGE_SMTP_URL``; ``repr`` leaves the password out."""

    host: str
    port: int
    implicit_tls: bool
    starttls: bool
    username: str | None = None
    password: SecretStr | None = field(default=None, repr=False)


def parse_smtp_url(url: SecretStr) -> SmtpTarget:
    """``smtp://[user[:password]@]host[:port][?starttls=true|false]`` or ``smtps://...``."""
    text = url.get_secret_value()
    parts = urlsplit(text)
    shown = _without_password(text)
    if parts.scheme not in DEFAULT_PORTS:
        raise SmtpUrlError(f"NUDGE_SMTP_URL: scheme must be smtp or smtps (got {shown})")
    if not parts.hostname:
        raise SmtpUrlError(f"NUDGE_SMTP_URL: no host (got {shown})")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise SmtpUrlError(f"NUDGE_SMTP_URL: the port is not a number (got {shown})") from None
    implicit_tls = parts.scheme == "smtps"
    starttls = _flag(parse_qs(parts.query).get("starttls", [""])[-1], default=not implicit_tls, shown=shown)
    if implicit_tls and starttls:
        raise SmtpUrlError(f"NUDGE_SMTP_URL: smtps is already encrypted; drop starttls (got {shown})")
    password = SecretStr(unquote(parts.password)) if parts.password is not None else None
    return SmtpTarget(
        host=parts.hostname,
        port=port,
        implicit_tls=implicit_tls,
        starttls=starttls,
        username=unquote(parts.username) if parts.username else None,
        password=password,
    )


def _flag(value: str, *, default: bool, shown: str) -> bool:
    word = value.strip().lower()
    if not word:
        return default
    if word in TRUE_WORDS | FALSE_WORDS:
        return word in TRUE_WORDS
    raise SmtpUrlError(f"NUDGE_SMTP_URL: starttls must be true or false (got {shown})")


def _without_password(text: str) -> str:
    parts = urlsplit(text)
    if parts.password is None:
        return text
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()
