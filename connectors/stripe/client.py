"""The one wrapper every Stripe call goes through: the official ``stripe`` library pointed
at ``settings.host`` over a ``requests`` session with a timeout, its own retries off (so
each request is counted and paced here), 429 and 5xx retried honouring ``Retry-After``."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import stripe

from connectors.core.calls import (
    RetryPolicy,
    SlidingWindowLimiter,
    TimeoutSession,
    Transient,
    VendorCaller,
    parse_retry_after,
)
from connectors.stripe.settings import StripeSettings


def classify(exc: Exception) -> Transient | None:
    """Which Stripe failures are worth retrying, and for how long Stripe asked us to wait."""
    if isinstance(exc, stripe.APIConnectionError):
        return Transient(f"network: {exc.user_message or exc}")
    if not isinstance(exc, stripe.StripeError):
        return None
    status = exc.http_status or 0
    headers = exc.headers or {}
    if headers.get("Stripe-Should-Retry") == "false":
        return None
    if status == 429 or isinstance(exc, stripe.RateLimitError):
        return Transient("429 rate limited", parse_retry_after(headers.get("Retry-After")), throttled=True)
    if status >= 500 or (isinstance(exc, stripe.APIError) and status in (0, 200)):
        # A 200 with an unreadable body surfaces as APIError("Invalid response body").
        return Transient(f"{status} {type(exc).__name__}", parse_retry_after(headers.get("Retry-After")))
    return None


class StripeApi:
    """The Stripe list endpoints the connector uses, all through one caller."""

    def __init__(self, settings: StripeSettings, *, sleep: Callable[[float], None] = time.sleep) -> None:
        http = stripe.RequestsClient(
            timeout=settings.timeout_seconds, session=TimeoutSession(settings.timeout_seconds)
        )
        self.sdk = stripe.StripeClient(
            settings.api_key.get_secret_value(),
            base_addresses={"api": settings.host},
            http_client=http,
            max_network_retries=0,
        )
        self.caller = VendorCaller(
            "stripe",
            classify,
            policy=RetryPolicy(
                max_attempts=settings.max_attempts,
                base_delay=settings.backoff_seconds,
                max_delay=settings.max_backoff_seconds,
            ),
            limiter=SlidingWindowLimiter(settings.rate_limit_requests, settings.rate_limit_window_seconds),
            sleep=sleep,
        )

    def list(self, resource: str, **params: Any) -> dict[str, Any]:
        """One page of ``GET /v1/<resource>``: ``{"object": "list", "data", "has_more"}``.

        Sent with the client's ``raw_request`` (same auth, headers, versioning and error
        mapping as the typed services) and read as plain JSON: the typed services build a
        ``StripeObject`` tree per item, which costs about a millisecond per invoice and
        would dominate a 500,000-invoice sync.
        """
        wanted = {k: v for k, v in params.items() if v is not None}
        response = self.caller.call(self.sdk.raw_request, "get", f"/v1/{resource}", **wanted)
        return dict(response.data)
