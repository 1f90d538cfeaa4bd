"""Ledgerly's registry entry: source, notifier, webhook, emulator, profile facts.

Registered by a temporary ``*.dist-info/entry_points.txt`` (see ``register_ledgerly`` in
``tests/connectors/throwaway/install.py``), exactly as an installed package would be.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from connectors.core.emulator import run_emulator
from connectors.core.protocols import Notifier, Source
from connectors.core.registry import ConnectorSpec, EmulatorSpec
from connectors.core.webhooks import WebhookRoute
from tests.connectors.throwaway.emulator import LedgerlyEmulator
from tests.connectors.throwaway.vendor import (
    LedgerlyNotifier,
    LedgerlySettings,
    LedgerlySource,
    webhook_route,
)

EXAMPLE = """\
export NUDGE_LEDGERLY_API_KEY=lk_live_...
export NUDGE_LEDGERLY_BASE_URL=https://api.ledgerly.example
export NUDGE_LEDGERLY_WEBHOOK_SECRET=lwhsec_...   # optional: mounts /integrations/ledgerly/webhook

from connectors.core.registry import get
source = get("ledgerly").build_source()
"""


def build_source(settings: LedgerlySettings) -> Source:
    """Ledgerly's change feed."""
    return LedgerlySource(settings)


def build_notifier(settings: LedgerlySettings) -> Notifier:
    """Ledgerly's inbox."""
    return LedgerlyNotifier(settings)


def webhooks(settings: LedgerlySettings) -> Sequence[WebhookRoute]:
    """The change-notice route, once its secret is set."""
    if settings.webhook_secret is None:
        return ()
    return (webhook_route(settings.webhook_secret.get_secret_value()),)


@contextlib.contextmanager
def serve_emulator(emulator: Any) -> Iterator[dict[str, str]]:
    """Serve a Ledgerly emulator locally; the variables pointing Nudge at it."""
    with run_emulator(emulator.app) as url:
        yield {
            "NUDGE_LEDGERLY_BASE_URL": url,
            "NUDGE_LEDGERLY_API_KEY": emulator.api_key,
            "NUDGE_LEDGERLY_WEBHOOK_SECRET": emulator.webhook_secret,
        }


CONNECTOR = ConnectorSpec(
    name="ledgerly",
    settings=LedgerlySettings,
    example=EXAMPLE,
    source=build_source,
    notifier=build_notifier,
    webhooks=webhooks,
    emulator=EmulatorSpec(create=LedgerlyEmulator, serve=serve_emulator),
    field_priority={"currency": 5},  # Ledgerly is the books: its currency beats Stripe's
    id_fields=("ledgerly_customer_id",),
)
