"""Mount the vendors' webhook routes when their secrets are set; each triggers a sync."""

from __future__ import annotations

from fastapi import FastAPI

from agent.db.database import Database
from agent.settings import Settings
from agent.sync.service import run_sync
from agent.sync.sources import build_source
from agent.sync.trigger import SyncTrigger
from connectors.hubspot.webhook import webhook_router as hubspot_webhooks
from connectors.stripe.webhook import webhook_router as stripe_webhooks


def sync_trigger(*, settings: Settings, database: Database) -> SyncTrigger:
    """A trigger running incremental syncs of configured sources against ``database``."""

    def run(source_name: str) -> object:
        return run_sync(
            database=database, source_name=source_name, source=build_source(settings, source_name)
        )

    return SyncTrigger(run)


def mount_webhooks(app: FastAPI, *, settings: Settings, trigger: SyncTrigger) -> list[str]:
    """Add ``/integrations/<vendor>/webhook`` for each vendor with a secret; their names."""
    mounted = []
    if settings.hubspot_client_secret is not None:
        secret = settings.hubspot_client_secret.get_secret_value()
        app.include_router(
            hubspot_webhooks(
                client_secret=secret,
                on_events=lambda _events: _request(trigger, "hubspot"),
                public_base_url=settings.public_url,
            )
        )
        mounted.append("hubspot")
    if settings.stripe_webhook_secret is not None:
        secret = settings.stripe_webhook_secret.get_secret_value()
        app.include_router(
            stripe_webhooks(webhook_secret=secret, on_event=lambda _event: _request(trigger, "stripe"))
        )
        mounted.append("stripe")
    return mounted


def _request(trigger: SyncTrigger, source_name: str) -> None:
    """Events carry ids, not data: an incremental sync fetches what changed."""
    trigger.request(source_name)
