"""The vendor-call wrapper: rolling-window limiter, Retry-After, backoff, call counting."""

from __future__ import annotations

import pytest

from connectors.core.calls import RetryPolicy, SlidingWindowLimiter, Transient, VendorCaller, VendorError


class FakeClock:
    """A clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_limiter_never_allows_more_than_the_tier_in_any_window():
    clock = FakeClock()
    limiter = SlidingWindowLimiter(100, 10.0, clock=clock, sleep=clock.sleep)
    sent = []
    for _ in range(350):
        limiter.acquire()
        sent.append(clock.now)
        clock.now += 0.001  # each request takes a millisecond
        limiter.settle()
    for start in sent:
        assert sum(1 for t in sent if start <= t < start + 10.0) <= 100
    # and it wastes nothing: 350 calls need three full windows of waiting, no more
    assert sent[-1] == pytest.approx(30.0, abs=0.5)


class ThrottledError(Exception):
    def __init__(self, retry_after: float | None) -> None:
        self.retry_after = retry_after


def classify(exc: Exception) -> Transient | None:
    if isinstance(exc, ThrottledError):
        return Transient("429", exc.retry_after, throttled=True)
    return None


def test_retry_after_is_honoured_and_every_attempt_counted():
    clock = FakeClock()
    caller = VendorCaller("vendor", classify, policy=RetryPolicy(base_delay=0.01), sleep=clock.sleep)
    answers: list[Exception | str] = [ThrottledError(7.0), ThrottledError(None), "ok"]

    def request() -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert caller.call(request) == "ok"
    assert clock.sleeps[0] >= 7.0
    assert clock.sleeps[1] < 1.0
    assert (caller.stats.calls, caller.stats.retries, caller.stats.throttled) == (3, 2, 2)


def test_errors_that_are_not_transient_are_raised_at_once():
    caller = VendorCaller("vendor", classify, sleep=lambda s: None)

    def bad_request() -> None:
        raise KeyError("no such field")

    with pytest.raises(KeyError):
        caller.call(bad_request)
    assert caller.stats.calls == 1


def test_giving_up_names_the_vendor_and_the_last_failure():
    caller = VendorCaller(
        "acme", classify, policy=RetryPolicy(max_attempts=3, base_delay=0), sleep=lambda s: None
    )

    def always_throttled() -> None:
        raise ThrottledError(0)

    with pytest.raises(VendorError, match=r"acme: gave up after 3 attempts \(429\)"):
        caller.call(always_throttled)
