"""Every Slack Web API call Nudge makes, through the official ``WebClient``.

Slack's limits are per method tier (requests per minute per workspace) and, for
``chat.postMessage``, about one message per second per conversation. Calls are paced
client-side to those limits; a 429 that still comes back is not waited out here: it
becomes a retryable :class:`DeliveryError` carrying Slack's ``Retry-After``, so the
delivery pipeline reschedules that one message and goes on with other recipients.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from connectors.core.calls import SlidingWindowLimiter, parse_retry_after
from connectors.core.protocols import DeliveryError
from connectors.slack.settings import SlackSettings

# Requests per minute of each method Nudge calls (https://api.slack.com/apis/rate-limits).
TIERS = {
    "auth.test": 100,
    "users.lookupByEmail": 50,
    "conversations.open": 50,
    "conversations.history": 50,
    "chat.update": 50,
    "views.open": 100,
    "views.publish": 100,
}
# The bot scopes each method needs; connectors/slack/manifest.yaml asks for exactly these
# (and ``commands`` for /nudge). views.open, views.publish and auth.test need none.
SCOPES = {
    "chat.postMessage": ("chat:write",),
    "chat.update": ("chat:write",),
    "conversations.open": ("im:write",),
    "conversations.history": ("im:history", "channels:history"),
    "users.lookupByEmail": ("users:read", "users:read.email"),
}
# Errors that will not go away by trying again.
FINAL_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "missing_scope",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "users_not_found",
        "user_not_found",
        "cannot_dm_bot",
        "msg_too_long",
        "invalid_blocks",
        "invalid_arguments",
        "no_text",
        "restricted_action",
    }
)


class ChannelPacer:
    """At most one post per ``interval`` seconds in each conversation, counted from when the
    previous post's answer came back (Slack saw it no later), so Slack never sees two closer."""

    def __init__(self, interval: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self._last: dict[str, float] = {}
        self._clock = clock
        self._lock = threading.Lock()

    def wait_for(self, channel: str) -> float:
        """Seconds until ``channel`` may take another post (0: now)."""
        with self._lock:
            return max(0.0, self._last.get(channel, -self.interval) + self.interval - self._clock())

    def settle(self, channel: str) -> None:
        """The post to ``channel`` was answered (or failed) now."""
        with self._lock:
            self._last[channel] = self._clock()


class SlackApi:
    """The bot's WebClient behind the tier limiters, with Slack errors as DeliveryErrors."""

    def __init__(self, settings: SlackSettings, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.client = WebClient(
            token=settings.bot_token.get_secret_value(),
            base_url=settings.api_url,
            timeout=max(1, round(settings.timeout_seconds)),
            # No silent retries: a timed-out post may have landed; the pipeline retries with the key.
            retry_handlers=[],
        )
        self.pacer = ChannelPacer(settings.post_interval_seconds)
        self._limiters = {method: SlidingWindowLimiter(n, 60.0, sleep=sleep) for method, n in TIERS.items()}
        self._sleep = sleep

    def call(self, method: str, **arguments: Any) -> dict[str, Any]:
        """``method`` with JSON ``arguments``; a failure raises :class:`DeliveryError`."""
        limiter = self._limiters.get(method)
        if limiter is not None:
            limiter.acquire()
        try:
            response = self.client.api_call(method, json=arguments)
        except SlackApiError as exc:
            raise slack_error(method, exc) from None
        except OSError as exc:  # refused, reset, timed out: Slack may or may not have it
            raise DeliveryError(f"slack {method}: {type(exc).__name__}: {exc}", retryable=True) from exc
        finally:
            if limiter is not None:
                limiter.settle()
        return dict(response.data) if isinstance(response.data, dict) else {}

    def post(self, channel: str, **arguments: Any) -> dict[str, Any]:
        """``chat.postMessage``, paced per conversation (the wait is at most one interval)."""
        wait = self.pacer.wait_for(channel)
        if wait > 0:
            self._sleep(wait)
        try:
            return self.call("chat.postMessage", channel=channel, **arguments)
        finally:
            self.pacer.settle(channel)


def slack_error(method: str, exc: SlackApiError) -> DeliveryError:
    """A Slack failure as a DeliveryError: 429 with its Retry-After, 5xx and transient errors retryable."""
    status = exc.response.status_code
    error = str(exc.response.get("error") or f"HTTP {status}")
    if status == 429:
        retry_after = parse_retry_after(exc.response.headers.get("Retry-After")) or 1.0
        return DeliveryError(f"slack {method}: ratelimited", retryable=True, retry_after=retry_after)
    retryable = status >= 500 or error not in FINAL_ERRORS
    return DeliveryError(f"slack {method}: {error}", retryable=retryable)
