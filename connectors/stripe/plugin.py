"""Registry entry for Stripe."""

from connectors.core.registry import ConnectorSpec
from connectors.stripe.settings import StripeSettings
from connectors.stripe.source import StripeSource

EXAMPLE = """\
# restricted key: customers, invoices, credit notes, events (read)
export NUDGE_STRIPE_API_KEY=rk_live_...
# signing secret of the /integrations/stripe/webhook endpoint
export NUDGE_STRIPE_WEBHOOK_SECRET=whsec_...

from connectors.core.protocols import pull_all
from connectors.core.registry import get
source = get("stripe").source()
result = pull_all(source)                 # full list; then events since result.cursor
"""

CONNECTOR = ConnectorSpec(
    name="stripe",
    settings=StripeSettings,
    build_source=StripeSource,
    example=EXAMPLE,
    webhook_path="/integrations/stripe/webhook",
)
