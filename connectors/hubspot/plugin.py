"""Registry entry for HubSpot."""

from connectors.core.registry import ConnectorSpec
from connectors.hubspot.settings import HubSpotSettings
from connectors.hubspot.source import HubSpotSource

EXAMPLE = """\
# private app token (crm.objects.*.read, crm.objects.owners.read)
export NUDGE_HUBSPOT_TOKEN=pat-na1-...
export NUDGE_HUBSPOT_CLIENT_SECRET=...            # app secret, verifies webhook signatures (v3)
# optional: Professional/Enterprise tier (default 100 / 10 s)
export NUDGE_HUBSPOT_RATE_LIMIT_REQUESTS=190

from connectors.core.protocols import pull_all
from connectors.core.registry import get
source = get("hubspot").source()
result = pull_all(source)                 # full sync; then pull_all(source, result.cursor)
"""

CONNECTOR = ConnectorSpec(
    name="hubspot",
    settings=HubSpotSettings,
    build_source=HubSpotSource,
    example=EXAMPLE,
    webhook_path="/integrations/hubspot/webhook",
)
