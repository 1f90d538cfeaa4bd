"""Background syncs on request (webhooks): at most one running per source, none lost.

A request while that source's sync runs marks it dirty; the running thread then syncs
once more, so a change announced mid-run is picked up without stacking up runs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class SyncTrigger:
    """Coalescing launcher of ``run(source_name)`` in daemon threads."""

    def __init__(self, run: Callable[[str], object]) -> None:
        self._run = run
        self._lock = threading.Lock()
        self._running: set[str] = set()
        self._again: set[str] = set()
        self._idle = threading.Condition(self._lock)

    def request(self, source_name: str) -> bool:
        """Start a sync of ``source_name`` unless one runs; True when a thread started."""
        with self._lock:
            if source_name in self._running:
                self._again.add(source_name)
                return False
            self._running.add(source_name)
        threading.Thread(
            target=self._loop, args=(source_name,), name=f"sync-{source_name}", daemon=True
        ).start()
        return True

    def wait_idle(self, timeout: float) -> bool:
        """Block until no sync runs (tests and shutdown); False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._running, timeout=timeout)

    def _loop(self, source_name: str) -> None:
        while True:
            try:
                self._run(source_name)
            except Exception:  # a daemon thread has no caller to raise to; the log is the record
                log.exception("background sync of %s failed", source_name)
            finally:
                with self._lock:
                    again = source_name in self._again
                    self._again.discard(source_name)
                    if not again:
                        self._running.discard(source_name)
                        self._idle.notify_all()
            if not again:
                return
