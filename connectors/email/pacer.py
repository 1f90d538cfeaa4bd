"""Pacing sends to the relay's allowed rate (messages per second), across threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable


class Pacer:
    """Spaces calls to :meth:`wait` at least ``1 / per_second`` apart; ``None`` never waits.

    Slots are kept on a schedule rather than after each send, so time spent between sends
    (rendering, recording) is absorbed instead of lowering the achieved rate; a caller
    that falls behind does not earn a burst to catch up.
    """

    def __init__(
        self,
        per_second: float | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = None if per_second is None else 1.0 / per_second
        self._clock = clock
        self._sleep = sleep
        self._next: float | None = None
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Block until the next send may go."""
        if self.interval is None:
            return
        with self._lock:
            now = self._clock()
            if self._next is not None and self._next > now:
                self._sleep(self._next - now)
                now = self._next
            self._next = now + self.interval


_SHARED: dict[tuple[Hashable, float], Pacer] = {}
_SHARED_LOCK = threading.Lock()


def shared_pacer(relay: Hashable, per_second: float | None) -> Pacer:
    """The one pacer of ``relay`` in this process: notifiers built for each drain share it,
    so the relay's rate holds across drains, not only within one."""
    if per_second is None:
        return Pacer(None)
    with _SHARED_LOCK:
        return _SHARED.setdefault((relay, per_second), Pacer(per_second))
