"""When to try a failed send again: exponential backoff, or the vendor's ``Retry-After``."""

from __future__ import annotations

from datetime import timedelta

FIRST_DELAY = timedelta(seconds=30)
LONGEST_DELAY = timedelta(hours=1)
SHORTEST_DELAY = timedelta(seconds=1)


def backoff(attempts: int, retry_after: float | None = None) -> timedelta:
    """The wait after ``attempts`` failed attempts: the vendor's ``retry_after`` when it gave one,
    else 30 s doubling each time, at most an hour."""
    if retry_after is not None:
        return max(timedelta(seconds=retry_after), SHORTEST_DELAY)
    return min(FIRST_DELAY * 2 ** max(attempts - 1, 0), LONGEST_DELAY)
