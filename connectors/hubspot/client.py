"""The one wrapper every HubSpot call goes through: the official ``hubspot-api-client``
pointed at ``settings.host``, a rolling-window limiter at the portal's tier, and retries
that honour ``Retry-After`` on 429 and back off on 5xx, timeouts and garbled bodies."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import urllib3
from hubspot import HubSpot
from urllib3.util.retry import Retry

from connectors.core.calls import (
    RetryPolicy,
    SlidingWindowLimiter,
    Transient,
    VendorCaller,
    parse_retry_after,
)
from connectors.hubspot.settings import HubSpotSettings

T = TypeVar("T")


class MalformedResponseError(ValueError):
    """HubSpot answered 200 with a body the client could not read: the generated client then
    returns a model whose ``results`` is None instead of raising."""


def classify(exc: Exception) -> Transient | None:
    """Which HubSpot failures are worth retrying, and for how long HubSpot asked us to wait."""
    status = getattr(exc, "status", None)
    if isinstance(status, int) and hasattr(exc, "reason"):
        headers = getattr(exc, "headers", None) or {}
        if status == 429:
            return Transient(
                "429 rate limited", parse_retry_after(headers.get("Retry-After")), throttled=True
            )
        if status >= 500:
            return Transient(f"{status} server error", parse_retry_after(headers.get("Retry-After")))
        return None
    if isinstance(exc, urllib3.exceptions.HTTPError):
        return Transient(f"network: {type(exc).__name__}")
    if isinstance(exc, MalformedResponseError):
        return Transient(f"malformed body: {exc}")
    return None


class HubSpotClient:
    """Typed access to the few HubSpot endpoints the connector uses, all through one caller."""

    def __init__(self, settings: HubSpotSettings, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        # urllib3 must not retry on its own: every request is counted and paced here.
        sdk = HubSpot(
            access_token=settings.token.get_secret_value(), host=settings.host, retry=Retry(total=0)
        )
        self.objects_basic = sdk.crm.objects.basic_api
        self.objects_search = sdk.crm.objects.search_api
        self.objects_batch = sdk.crm.objects.batch_api
        self.owners = sdk.crm.owners.owners_api
        self.associations = sdk.crm.associations.v4.batch_api
        self.caller = VendorCaller(
            "hubspot",
            classify,
            policy=RetryPolicy(
                max_attempts=settings.max_attempts,
                base_delay=settings.backoff_seconds,
                max_delay=settings.max_backoff_seconds,
            ),
            limiter=SlidingWindowLimiter(settings.rate_limit_requests, settings.rate_limit_window_seconds),
            sleep=sleep,
        )

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """One HubSpot request through the limiter and retry loop; the reply must have results."""

        def checked() -> T:
            reply = fn(*args, _request_timeout=self.settings.timeout_seconds, **kwargs)
            if getattr(reply, "results", None) is None:
                name = getattr(fn, "__name__", "call")
                raise MalformedResponseError(f"{name}: reply without results")
            return reply

        return self.caller.call(checked)
