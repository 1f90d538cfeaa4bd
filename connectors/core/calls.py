"""One wrapper for every vendor call: client-side rate limit, retries with exponential
backoff and jitter, ``Retry-After`` honoured, and a count of every request sent."""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import requests

T = TypeVar("T")


@dataclass
class CallStats:
    """What a connector spent talking to its vendor."""

    calls: int = 0
    retries: int = 0
    throttled: int = 0
    failures: int = 0
    waited_seconds: float = 0.0


@dataclass(frozen=True)
class Transient:
    """A failure worth retrying, with the wait the vendor asked for (seconds), if any."""

    reason: str
    retry_after: float | None = None
    throttled: bool = False


class VendorError(RuntimeError):
    """A vendor call that still failed after every retry."""


class SlidingWindowLimiter:
    """At most ``max_calls`` in any ``window_seconds``: the vendors' rolling-window semantics.

    A token bucket refilled at N/W allows up to 2N requests in some window (a full bucket
    plus a window of refill), which a rolling-window vendor answers with 429; keeping the
    times of the last N calls is exact and still lets a full window's burst through. Each
    call's time is moved to when its answer arrived (:meth:`settle`): the vendor saw the
    request no later than that, so the next window can never overlap the vendor's.
    """

    def __init__(
        self,
        max_calls: int,
        window_seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_calls < 1 or window_seconds <= 0:
            raise ValueError("a rate limit needs max_calls >= 1 and window_seconds > 0")
        self.max_calls = max_calls
        self.window = window_seconds
        self._sent: deque[float] = deque()
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Block until one more call fits in the window; return the seconds waited."""
        waited = 0.0
        with self._lock:
            while True:
                now = self._clock()
                while self._sent and now - self._sent[0] >= self.window:
                    self._sent.popleft()
                if len(self._sent) < self.max_calls:
                    self._sent.append(now)
                    return waited
                pause = self.window - (now - self._sent[0])
                self._sleep(pause)
                waited += pause

    def settle(self) -> None:
        """Stamp the latest call with the time its answer (or failure) came back."""
        with self._lock:
            if self._sent:
                self._sent[-1] = self._clock()


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a transient failure."""

    max_attempts: int = 8
    base_delay: float = 0.5
    max_delay: float = 60.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Full-jitter exponential backoff, never shorter than the vendor's ``Retry-After``."""
        backoff = min(self.max_delay, self.base_delay * 2**attempt) * random.uniform(0.5, 1.0)
        return max(backoff, retry_after or 0.0)


class VendorCaller:
    """Sends every call of one vendor through the limiter, the retry loop and the counter."""

    def __init__(
        self,
        vendor: str,
        classify: Callable[[Exception], Transient | None],
        *,
        policy: RetryPolicy | None = None,
        limiter: SlidingWindowLimiter | None = None,
        before_call: Callable[[], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.vendor = vendor
        self.classify = classify
        self.policy = policy or RetryPolicy()
        self.limiter = limiter
        self.before_call = before_call
        self.stats = CallStats()
        self._sleep = sleep

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn`` (one HTTP request), retrying transient failures."""
        attempt = 0
        while True:
            if self.before_call is not None:
                self.before_call()
            if self.limiter is not None:
                self.stats.waited_seconds += self.limiter.acquire()
            self.stats.calls += 1
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                failure = self.classify(exc)
                if failure is None:
                    raise
                self._note_failure(failure, attempt, exc)
            finally:
                if self.limiter is not None:
                    self.limiter.settle()
            attempt += 1

    def _note_failure(self, failure: Transient, attempt: int, exc: Exception) -> None:
        self.stats.failures += 1
        self.stats.throttled += failure.throttled
        if attempt + 1 >= self.policy.max_attempts:
            raise VendorError(
                f"{self.vendor}: gave up after {attempt + 1} attempts ({failure.reason})"
            ) from exc
        self.stats.retries += 1
        pause = self.policy.delay(attempt, failure.retry_after)
        self.stats.waited_seconds += pause
        self._sleep(pause)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds form; dates are rare here)."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class TimeoutSession(requests.Session):
    """A ``requests`` session with a default timeout, so a hung vendor cannot stall a sync,
    and an optional CA file passed on every request (``REQUESTS_CA_BUNDLE`` in the
    environment would otherwise override a session-level ``verify``)."""

    def __init__(self, timeout: float, ca_bundle: str | None = None) -> None:
        super().__init__()
        self.timeout = timeout
        self.ca_bundle = ca_bundle

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        if self.ca_bundle:
            kwargs.setdefault("verify", self.ca_bundle)
        return super().request(method, url, *args, **kwargs)
