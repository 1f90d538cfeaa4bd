"""``POST /integrations/hubspot/webhook``: verify signature v3, then ask for an incremental sync.

HubSpot batches up to 100 events per request and retries on any non-2xx answer, so the
route answers 204 quickly and leaves the fetching to the sync (events carry ids, not data).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response

from connectors.hubspot.signature import SignatureError, verify_v3

SyncTrigger = Callable[[list[dict[str, Any]]], None]


def webhook_router(
    *, client_secret: str, on_events: SyncTrigger, public_base_url: str | None = None
) -> APIRouter:
    """A router with the webhook route.

    ``on_events`` receives the verified events (e.g. to schedule an incremental HubSpot
    sync). ``public_base_url`` is the address HubSpot calls when Nudge sits behind a
    proxy: HubSpot signs the URL it called, not the one this process sees.
    """
    router = APIRouter()

    @router.post("/integrations/hubspot/webhook", status_code=204)
    async def hubspot_webhook(request: Request) -> Response:
        body = await request.body()
        uri = str(request.url)
        if public_base_url:
            query = f"?{request.url.query}" if request.url.query else ""
            uri = public_base_url.rstrip("/") + request.url.path + query
        try:
            verify_v3(
                secret=client_secret,
                method=request.method,
                uri=uri,
                body=body,
                signature=request.headers.get("X-HubSpot-Signature-v3"),
                timestamp=request.headers.get("X-HubSpot-Request-Timestamp"),
            )
        except SignatureError as exc:
            raise HTTPException(status_code=401, detail=f"invalid HubSpot signature: {exc}") from exc
        try:
            events = json.loads(body)
        except json.JSONDecodeError as exc:
            raise HTTPException(status_code=400, detail="body is not JSON") from exc
        on_events(events if isinstance(events, list) else [events])
        return Response(status_code=204)

    return router
