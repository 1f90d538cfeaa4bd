"""The key that signs action links: ``NUDGE_SECRET_KEY``, or a generated one in development."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from agent.settings import Settings, SettingsError

KEY_FILE = "secret_key"
MIN_LENGTH = 32
HOW_TO_GENERATE = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"


def signing_key(settings: Settings) -> bytes:
    """The HMAC key; production must set ``NUDGE_SECRET_KEY`` (a clear error otherwise)."""
    if settings.secret_key is not None:
        value = settings.secret_key.get_secret_value()
        if len(value) < MIN_LENGTH:
            raise SettingsError(
                f"NUDGE_SECRET_KEY is too short ({len(value)} characters; at least {MIN_LENGTH}): "
                f"generate one with {HOW_TO_GENERATE}"
            )
        return value.encode("utf-8")
    if settings.environment == "production":
        raise SettingsError(
            "NUDGE_SECRET_KEY is not set: production needs it to sign e-mail action links "
            f"(and every replica the same one); generate one with {HOW_TO_GENERATE}"
        )
    return _development_key(settings.home / KEY_FILE)


def _development_key(path: Path) -> bytes:
    """Read the key kept in ``path``, creating it (mode 600) the first time.

    The key is written to a private temporary file and linked into place, so a second
    process starting at the same moment reads either no file or the whole key.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process won: use its key
        finally:
            draft.unlink()
    return path.read_text(encoding="utf-8").strip().encode("utf-8")
