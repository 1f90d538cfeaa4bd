"""Registry entry for HubSpot: a source, the change-notification webhook, an emulator.

Builders import the client library when called, so listing connectors stays cheap.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from connectors.core.protocols import Source
from connectors.core.ranks import ranks
from connectors.core.registry import ConnectorSpec, EmulatorSpec
from connectors.core.webhooks import WebhookRoute
from connectors.hubspot.settings import HubSpotSettings

EXAMPLE = """\
# private app token (crm.objects.*.read, crm.objects.owners.read)
export NUDGE_HUBSPOT_TOKEN=pat-na1-...
export NUDGE_HUBSPOT_CLIENT_SECRET=...            # app secret, verifies webhook signatures (v3)
# optional: Professional/Enterprise tier (default 100 / 10 s)
export NUDGE_HUBSPOT_RATE_LIMIT_REQUESTS=190

from connectors.core.protocols import pull_all
from connectors.core.registry import get
source = get("hubspot").build_source()
result = pull_all(source)                 # full sync; then pull_all(source, result.cursor)
"""


def build_source(settings: HubSpotSettings) -> Source:
    """HubSpot's incremental source."""
    from connectors.hubspot.source import HubSpotSource

    return HubSpotSource(settings)


def webhooks(settings: HubSpotSettings) -> Sequence[WebhookRoute]:
    """``/integrations/hubspot/webhook`` once the app secret is set."""
    from connectors.hubspot.webhook import route

    if settings.client_secret is None:
        return ()
    return (route(client_secret=settings.client_secret.get_secret_value()),)


def create_emulator() -> Any:
    """An empty HubSpot emulator (``seed(owners, companies, contacts, deals)``)."""
    from connectors.hubspot.emulator import HubSpotEmulator

    return HubSpotEmulator()


@contextlib.contextmanager
def serve_emulator(emulator: Any) -> Iterator[dict[str, str]]:
    """Serve the emulator on a free local port; the variables pointing Nudge at it."""
    from connectors.core.emulator import run_emulator

    with run_emulator(emulator.app) as url:
        yield {
            "NUDGE_HUBSPOT_BASE_URL": url,
            "NUDGE_HUBSPOT_TOKEN": emulator.token,
            "NUDGE_HUBSPOT_CLIENT_SECRET": emulator.client_secret,
            # the emulator's search index has no lag, and a local server needs no pacing
            "NUDGE_HUBSPOT_SEARCH_LAG_SECONDS": "0",
            "NUDGE_HUBSPOT_RATE_LIMIT_REQUESTS": "10000",
        }


CONNECTOR = ConnectorSpec(
    name="hubspot",
    settings=HubSpotSettings,
    example=EXAMPLE,
    source=build_source,
    webhooks=webhooks,
    emulator=EmulatorSpec(create=create_emulator, serve=serve_emulator),
    field_priority=ranks(crm=10, billing=30),
    id_fields=("hubspot_company_id",),
)
