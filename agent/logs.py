"""Logging set-up: one format for every part, and secrets masked before anything is written."""

from __future__ import annotations

import logging
import re

from pydantic import SecretStr

from agent.settings import Settings, SettingsError

# Bearer tokens of Nudge and of the vendors we talk to (Slack xox*, Stripe sk_/rk_/whsec_).
TOKEN_PATTERN = re.compile(r"\b(ndg_|xox[abpr]-|sk_(?:live|test)_|rk_(?:live|test)_|whsec_)[A-Za-z0-9_\-]+")
MASK = "***"


class RedactSecrets(logging.Filter):
    """Replaces configured secret values and anything shaped like a token with ``***``."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [secret for secret in secrets if len(secret) >= 6]

    def redact(self, text: str) -> str:
        """``text`` with every secret masked."""
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return TOKEN_PATTERN.sub(lambda match: match[1] + MASK, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def configure_logging(settings: Settings) -> None:
    """Log to stderr at the configured level, through the secret filter (Nudge's own secrets
    and those of every configured connector); a connector variable with a bad value stops here."""
    from connectors.core.registry import ConnectorConfigError, configured, secret_values

    values = [v for v in settings.__dict__.values() if isinstance(v, SecretStr)]
    try:
        for spec in configured().values():
            values.extend(secret_values(spec.load_settings()).values())
    except ConnectorConfigError as exc:
        raise SettingsError(str(exc)) from None
    secrets = [value.get_secret_value() for value in values]
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
