"""Registry entry for Salesforce."""

from connectors.core.registry import ConnectorSpec
from connectors.salesforce.settings import SalesforceSettings
from connectors.salesforce.source import SalesforceSource

EXAMPLE = """\
export NUDGE_SALESFORCE_INSTANCE_URL=https://acme.my.salesforce.com
export NUDGE_SALESFORCE_TOKEN=00D...!AQ...        # OAuth access token
# optional: stop before the org's usage passes this
export NUDGE_SALESFORCE_DAILY_API_BUDGET=50000

from connectors.core.protocols import pull_all
from connectors.core.registry import get
source = get("salesforce").source()
# initial load (Bulk API 2.0 past 50,000 rows), then incremental
result = pull_all(source)
"""

CONNECTOR = ConnectorSpec(
    name="salesforce",
    settings=SalesforceSettings,
    build_source=SalesforceSource,
    example=EXAMPLE,
)
