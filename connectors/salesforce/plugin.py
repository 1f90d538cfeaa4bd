"""Registry entry for Salesforce: a source and an emulator (served over HTTPS).

Builders import the client library when called, so listing connectors stays cheap.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from connectors.core.protocols import Source
from connectors.core.ranks import ranks
from connectors.core.registry import ConnectorSpec, EmulatorSpec
from connectors.salesforce.settings import SalesforceSettings

EXAMPLE = """\
export NUDGE_SALESFORCE_INSTANCE_URL=https://acme.my.salesforce.com
export NUDGE_SALESFORCE_TOKEN=00D...!AQ...        # OAuth access token
# optional: stop before the org's usage passes this
export NUDGE_SALESFORCE_DAILY_API_BUDGET=50000

from connectors.core.protocols import pull_all
from connectors.core.registry import get
source = get("salesforce").build_source()
# initial load (Bulk API 2.0 past 50,000 rows), then incremental
result = pull_all(source)
"""


def build_source(settings: SalesforceSettings) -> Source:
    """Salesforce's incremental source."""
    from connectors.salesforce.source import SalesforceSource

    return SalesforceSource(settings)


def create_emulator() -> Any:
    """An empty Salesforce emulator (``seed(users, accounts, contacts, opportunities)``)."""
    from connectors.salesforce.emulator import SalesforceEmulator

    return SalesforceEmulator()


@contextlib.contextmanager
def serve_emulator(emulator: Any) -> Iterator[dict[str, str]]:
    """Serve the emulator over HTTPS with a throwaway certificate (simple-salesforce always
    builds ``https://`` URLs); the variables pointing Nudge at it."""
    from connectors.core.emulator import run_emulator
    from connectors.salesforce.emulator import tls_files

    cert, key = tls_files()
    with run_emulator(emulator.app, ssl_certfile=cert, ssl_keyfile=key) as url:
        yield {
            "NUDGE_SALESFORCE_INSTANCE_URL": url,
            "NUDGE_SALESFORCE_TOKEN": emulator.session_id,
            "NUDGE_SALESFORCE_CA_BUNDLE": cert,
        }


CONNECTOR = ConnectorSpec(
    name="salesforce",
    settings=SalesforceSettings,
    example=EXAMPLE,
    source=build_source,
    emulator=EmulatorSpec(create=create_emulator, serve=serve_emulator),
    field_priority=ranks(crm=20, billing=40),
    id_fields=("salesforce_account_id",),
)
