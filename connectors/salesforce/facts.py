"""Salesforce API facts the connector relies on (and its emulator reproduces)."""

from __future__ import annotations

import datetime as dt

API_VERSION = "59.0"  # the REST version the connector calls (settings.api_version)
BATCH_SIZE = 2000  # rows per REST query page
PREFIXES = {"Account": "001", "Contact": "003", "Opportunity": "006", "User": "005"}


def sf_datetime(ms: int) -> str:
    """Epoch ms as Salesforce writes datetimes: ``2024-05-01T10:00:00.000+0000``."""
    stamp = dt.datetime.fromtimestamp(ms / 1000, dt.UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}+0000"


def parse_sf_datetime(value: str) -> int:
    """Salesforce datetime text (``...+0000`` or ``...Z``) as epoch ms."""
    text = value.replace("Z", "+00:00")
    if text.endswith("+0000"):
        text = text[:-5] + "+00:00"
    return int(dt.datetime.fromisoformat(text).timestamp() * 1000)
