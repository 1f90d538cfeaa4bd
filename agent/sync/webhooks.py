"""Mount every configured connector's webhook routes; a verified request triggers its syncs.

Routes come from the registry (``spec.routes()``): only a configured connector mounts
them, and only with its secret set, so no route accepts events that nothing would sync.
Verification is the connector's pure ``receive(request, now)``; this module adapts it to
FastAPI and answers 401/400 with the reason, 409 to a delivery already received (a
replay, remembered in the database), or 204 once the syncs are requested.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from fastapi import FastAPI, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool

from agent.db.database import Database
from agent.profile.priority import load_priority
from agent.settings import Settings
from agent.sync.deliveries import first_delivery
from agent.sync.service import run_sync
from agent.sync.sources import build_source
from agent.sync.trigger import SyncTrigger
from connectors.core.registry import configured
from connectors.core.webhooks import InboundRequest, WebhookRejectedError, WebhookRoute

Endpoint = Callable[[Request], Awaitable[Response]]


def sync_trigger(*, settings: Settings, database: Database) -> SyncTrigger:
    """A trigger running recorded incremental syncs of configured sources against ``database``."""

    def run(source_name: str) -> object:
        return run_sync(
            database=database,
            source_name=source_name,
            source=build_source(source_name),
            priority=load_priority(settings.field_priority_file),
            today=settings.today(),
        )

    return SyncTrigger(run)


def mount_webhooks(
    app: FastAPI, *, settings: Settings, database: Database, trigger: SyncTrigger
) -> list[str]:
    """Add each configured connector's webhook routes to ``app``; the mounted paths."""
    mounted = []
    for name, spec in configured("webhooks").items():
        for route in spec.routes():
            if route.answer is not None:
                continue  # people's interactions: agent.interactions.views.mount_interactions
            endpoint = _endpoint(
                name, route, public_url=settings.public_url, database=database, trigger=trigger
            )
            app.add_api_route(route.path, endpoint, methods=["POST"], status_code=204, tags=["webhooks"])
            mounted.append(route.path)
    return mounted


def _endpoint(
    name: str, route: WebhookRoute, *, public_url: str | None, database: Database, trigger: SyncTrigger
) -> Endpoint:
    async def receive(request: Request) -> Response:
        inbound = InboundRequest(
            method=request.method,
            url=called_url(request, public_url),
            headers=dict(request.headers),
            body=await request.body(),
        )
        now = datetime.now(UTC)
        try:
            received = route.receive(inbound, now)
        except WebhookRejectedError as exc:
            raise HTTPException(status_code=exc.status, detail=f"{name} webhook refused: {exc}") from exc
        # A connector that names no delivery still has its exact body refused twice.
        delivery = received.delivery or hashlib.sha256(inbound.body).hexdigest()
        if not await run_in_threadpool(
            first_delivery, database=database, route=route.path, delivery=delivery, now=now
        ):
            raise HTTPException(status_code=409, detail=f"{name} webhook refused: delivery already received")
        for source_name in received.sync:  # events carry ids, not data: a sync fetches them
            trigger.request(source_name)
        return Response(status_code=204)

    return receive


def called_url(request: Request, public_url: str | None) -> str:
    """The URL the vendor called (and signed): behind a proxy, ``NUDGE_PUBLIC_URL`` + path."""
    if not public_url:
        return str(request.url)
    query = f"?{request.url.query}" if request.url.query else ""
    return public_url.rstrip("/") + request.url.path + query
