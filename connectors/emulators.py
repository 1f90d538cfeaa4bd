"""All three vendor emulators at once, for ``nudge demo`` and end-to-end tests.

hubspot, salesforce, stripe = HubSpotEmulator(), SalesforceEmulator(), StripeEmulator()
hubspot.seed(owners=..., companies=..., contacts=..., deals=...)
stripe.seed(customers=..., invoices=..., credit_notes=...)
with run_local_vendors(hubspot=hubspot, salesforce=salesforce, stripe=stripe) as vendors:
    for name, source in vendors.sources().items():
        for page in source.pull(cursor_of(name)):
            store(page.records); commit(name, page.cursor)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from connectors.core.emulator import run_emulator
from connectors.core.protocols import Source
from connectors.hubspot.emulator import HubSpotEmulator
from connectors.hubspot.settings import HubSpotSettings
from connectors.hubspot.source import HubSpotSource
from connectors.salesforce.emulator import SalesforceEmulator, tls_files
from connectors.salesforce.settings import SalesforceSettings
from connectors.salesforce.source import SalesforceSource
from connectors.stripe.emulator import StripeEmulator
from connectors.stripe.settings import StripeSettings
from connectors.stripe.source import StripeSource


@dataclass
class LocalVendors:
    """Running emulators and how to reach them."""

    urls: dict[str, str] = field(default_factory=dict)
    hubspot: HubSpotEmulator | None = None
    salesforce: SalesforceEmulator | None = None
    stripe: StripeEmulator | None = None
    salesforce_ca: str | None = None

    def env(self) -> dict[str, str]:
        """``NUDGE_*`` variables that point a Nudge process at these emulators."""
        out: dict[str, str] = {}
        if self.hubspot is not None:
            out |= {
                "NUDGE_HUBSPOT_BASE_URL": self.urls["hubspot"],
                "NUDGE_HUBSPOT_TOKEN": self.hubspot.token,
                "NUDGE_HUBSPOT_CLIENT_SECRET": self.hubspot.client_secret,
                # the emulator's search index has no lag
                "NUDGE_HUBSPOT_SEARCH_LAG_SECONDS": "0",
            }
        if self.salesforce is not None and self.salesforce_ca is not None:
            out |= {
                "NUDGE_SALESFORCE_INSTANCE_URL": self.urls["salesforce"],
                "NUDGE_SALESFORCE_TOKEN": self.salesforce.session_id,
                "NUDGE_SALESFORCE_CA_BUNDLE": self.salesforce_ca,
            }
        if self.stripe is not None:
            out |= {
                "NUDGE_STRIPE_BASE_URL": self.urls["stripe"],
                "NUDGE_STRIPE_API_KEY": self.stripe.api_key,
                "NUDGE_STRIPE_WEBHOOK_SECRET": self.stripe.webhook_secret,
            }
        return out

    def sources(self) -> dict[str, Source]:
        """A source per running emulator, configured explicitly (the environment is not read
        for these values: explicit arguments take precedence in pydantic-settings)."""
        env = self.env()
        out: dict[str, Source] = {}
        if self.hubspot is not None:
            out["hubspot"] = HubSpotSource(
                HubSpotSettings(
                    token=env["NUDGE_HUBSPOT_TOKEN"], base_url=self.urls["hubspot"], search_lag_seconds=0
                )
            )
        if self.salesforce is not None:
            out["salesforce"] = SalesforceSource(
                SalesforceSettings(
                    instance_url=self.urls["salesforce"],
                    token=env["NUDGE_SALESFORCE_TOKEN"],
                    ca_bundle=self.salesforce_ca,
                )
            )
        if self.stripe is not None:
            out["stripe"] = StripeSource(
                StripeSettings(api_key=env["NUDGE_STRIPE_API_KEY"], base_url=self.urls["stripe"])
            )
        return out


@contextlib.contextmanager
def run_local_vendors(
    *,
    hubspot: HubSpotEmulator | None = None,
    salesforce: SalesforceEmulator | None = None,
    stripe: StripeEmulator | None = None,
) -> Iterator[LocalVendors]:
    """Serve the given emulators on free local ports (Salesforce over HTTPS) until exit."""
    vendors = LocalVendors(hubspot=hubspot, salesforce=salesforce, stripe=stripe)
    with contextlib.ExitStack() as stack:
        if hubspot is not None:
            vendors.urls["hubspot"] = stack.enter_context(run_emulator(hubspot.app))
        if salesforce is not None:
            cert, key = tls_files()
            vendors.salesforce_ca = cert
            vendors.urls["salesforce"] = stack.enter_context(
                run_emulator(salesforce.app, ssl_certfile=cert, ssl_keyfile=key)
            )
        if stripe is not None:
            vendors.urls["stripe"] = stack.enter_context(run_emulator(stripe.app))
        yield vendors
