"""All three emulators together: a CRM account and its Stripe invoices join on the
Stripe customer id the CRM stores, through the real connectors."""

from __future__ import annotations

from connectors.core.protocols import pull_all
from connectors.core.records import AccountRecord, InvoiceRecord
from connectors.core.registry import get
from connectors.emulators import run_local_vendors
from connectors.hubspot.emulator import HubSpotEmulator
from connectors.salesforce.emulator import SalesforceEmulator
from connectors.stripe.emulator import StripeEmulator
from tests.connectors.factories import OWNERS, companies, invoices


def test_crm_accounts_join_stripe_invoices_on_the_stored_customer_id():
    hubspot, salesforce, stripe = HubSpotEmulator(), SalesforceEmulator(), StripeEmulator()
    book = companies(12)
    hubspot.seed(owners=OWNERS, companies=book)
    salesforce.seed(users=OWNERS, accounts=book)
    stripe.seed(
        customers=[{"id": c["stripe_customer_id"], "name": c["name"]} for c in book],
        invoices=invoices(36, 12),
    )
    with run_local_vendors(hubspot=hubspot, salesforce=salesforce, stripe=stripe) as vendors:
        results = {name: pull_all(source) for name, source in vendors.sources().items()}
        env = vendors.env()

    assert set(env) >= {"NUDGE_HUBSPOT_BASE_URL", "NUDGE_SALESFORCE_CA_BUNDLE", "NUDGE_STRIPE_API_KEY"}
    invoices_by_customer: dict[str, int] = {}
    for record in results["stripe"].records:
        if isinstance(record, InvoiceRecord) and record.customer_external_id:
            customer = record.customer_external_id
            invoices_by_customer[customer] = invoices_by_customer.get(customer, 0) + 1
    for crm in ("hubspot", "salesforce"):
        accounts = [r for r in results[crm].records if isinstance(r, AccountRecord)]
        assert len(accounts) == 12
        for account in accounts:
            assert account.owner_email in {o["email"] for o in OWNERS}
            assert invoices_by_customer[account.other_ids["stripe_customer_id"]] == 3


def test_seeded_ids_are_kept_so_the_demo_book_ids_stay_valid():
    hubspot, salesforce = HubSpotEmulator(), SalesforceEmulator()
    hubspot.seed(companies=[{"id": "1330674950", "name": "Sandstone Capital"}, {"name": "Next One"}])
    salesforce.seed(accounts=[{"id": "001jWeN8ke2QGsMBsY", "name": "Sandstone Capital"}])
    assert 1330674950 in hubspot.live("companies")
    assert max(hubspot.live("companies")) > 1330674950  # later ids do not collide
    assert "001jWeN8ke2QGsMBsY" in salesforce.live("Account")


def test_each_demo_emulator_signs_webhooks_with_its_own_fresh_secret() -> None:
    for name, secret_of in (("stripe", "webhook_secret"), ("hubspot", "client_secret")):
        spec = get(name).emulator
        assert spec is not None
        first, second = getattr(spec.create(), secret_of), getattr(spec.create(), secret_of)
        assert first != second
        assert len(first) >= 32
        assert first not in ("whsec_emulator", "emulator-client-secret")
