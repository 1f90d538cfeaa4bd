"""``POST /integrations/stripe/webhook``: verify ``Stripe-Signature``, hand the event on.

Verification is the official ``stripe.Webhook.construct_event`` (HMAC-SHA256 of
``"{t}.{raw body}"``, any ``v1`` signature may match, timestamp within the tolerance).
The raw body must be read before any JSON parsing: re-serialising breaks the signature.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import stripe
from fastapi import APIRouter, HTTPException, Request, Response

EventHandler = Callable[[dict[str, Any]], None]


def webhook_router(*, webhook_secret: str, on_event: EventHandler, tolerance_seconds: int = 300) -> APIRouter:
    """A router with the webhook route; ``on_event`` gets each verified event as a dict
    (e.g. to schedule an incremental Stripe sync or apply ``invoice.paid`` at once)."""
    router = APIRouter()

    @router.post("/integrations/stripe/webhook", status_code=204)
    async def stripe_webhook(request: Request) -> Response:
        payload = await request.body()
        try:
            stripe.Webhook.construct_event(
                payload,
                request.headers.get("Stripe-Signature", ""),
                webhook_secret,
                tolerance=tolerance_seconds,
            )
        except stripe.SignatureVerificationError as exc:
            raise HTTPException(
                status_code=401, detail=f"invalid Stripe signature: {exc.user_message or exc}"
            ) from exc
        except ValueError as exc:
            raise HTTPException(status_code=400, detail="body is not JSON") from exc
        # construct_event verified the signature; hand on the plain JSON Stripe sent.
        on_event(json.loads(payload))
        return Response(status_code=204)

    return router
