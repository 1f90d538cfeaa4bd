"""Registry entry for Stripe: a source, the event webhook, an emulator.

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
from connectors.stripe.settings import StripeSettings

EXAMPLE = """\
# restricted key: customers, invoices, credit notes, events (read)
export NUDGE_STRIPE_API_KEY=rk_live_...
# signing secret of the /integrations/stripe/webhook endpoint
export NUDGE_STRIPE_WEBHOOK_SECRET=whsec_...

from connectors.core.protocols import pull_all
from connectors.core.registry import get
source = get("stripe").build_source()
result = pull_all(source)                 # full list; then events since result.cursor
"""


def build_source(settings: StripeSettings) -> Source:
    """Stripe's incremental source."""
    from connectors.stripe.source import StripeSource

    return StripeSource(settings)


def webhooks(settings: StripeSettings) -> Sequence[WebhookRoute]:
    """``/integrations/stripe/webhook`` once the endpoint's signing secret is set."""
    from connectors.stripe.webhook import route

    if settings.webhook_secret is None:
        return ()
    secret = settings.webhook_secret.get_secret_value()
    return (route(webhook_secret=secret, tolerance_seconds=settings.webhook_tolerance_seconds),)


def create_emulator() -> Any:
    """An empty Stripe emulator (``seed(customers, invoices, credit_notes)``)."""
    from connectors.stripe.emulator import StripeEmulator

    return StripeEmulator()


@contextlib.contextmanager
def serve_emulator(emulator: Any) -> Iterator[dict[str, str]]:
    """Serve the emulator on a free local port; the variables pointing Nudge at it."""
    from connectors.core.emulator import run_emulator

    with run_emulator(emulator.app) as url:
        yield {
            "NUDGE_STRIPE_BASE_URL": url,
            "NUDGE_STRIPE_API_KEY": emulator.api_key,
            "NUDGE_STRIPE_WEBHOOK_SECRET": emulator.webhook_secret,
            "NUDGE_STRIPE_RATE_LIMIT_REQUESTS": "10000",  # a local server needs no pacing
        }


CONNECTOR = ConnectorSpec(
    name="stripe",
    settings=StripeSettings,
    example=EXAMPLE,
    source=build_source,
    webhooks=webhooks,
    emulator=EmulatorSpec(create=create_emulator, serve=serve_emulator),
    field_priority=ranks(crm=30, billing=10),
    id_fields=("stripe_customer_id",),
)
