"""Stripe API facts the connector relies on (and its emulator reproduces)."""

from __future__ import annotations

LIST_MAX = 100
EVENT_RETENTION_SECONDS = 30 * 24 * 3600
ZERO_DECIMAL = frozenset(
    {
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    }
)
