"""What the vendor emulators share: a real HTTP server on a free local port, a request
counter, a rolling-window rate limit and injectable faults (429 storms, 5xx, timeouts,
malformed bodies), rendered in each vendor's own error format.

The emulators are for tests, the demo and the benchmark: the official client libraries
talk to them over real sockets exactly as they would talk to the vendor.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import uvicorn

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# (status, extra headers, body) for one vendor-formatted error.
ErrorResponse = tuple[int, dict[str, str], bytes]


@dataclass
class Faults:
    """Failures the next requests meet; counters go down as requests consume them."""

    throttle_next: int = 0
    server_errors_next: int = 0
    timeouts_next: int = 0
    malformed_next: int = 0
    retry_after_seconds: float = 1.0
    timeout_delay_seconds: float = 3.0

    def take(self) -> str | None:
        """The fault for the request arriving now, if any (one kind at a time, in order)."""
        for kind, attr in _FAULT_COUNTERS:
            left = getattr(self, attr)
            if left > 0:
                setattr(self, attr, left - 1)
                return kind
        return None


_FAULT_COUNTERS = (
    ("throttle", "throttle_next"),
    ("server_error", "server_errors_next"),
    ("timeout", "timeouts_next"),
    ("malformed", "malformed_next"),
)


@dataclass
class RollingWindow:
    """The vendor's rate limit: ``max_calls`` per ``window_seconds``, rolling."""

    max_calls: int
    window_seconds: float
    _times: deque[float] = field(default_factory=deque)

    def admit(self, now: float) -> tuple[bool, int, float]:
        """(admitted, remaining, seconds until a slot frees) for a request at ``now``."""
        while self._times and now - self._times[0] >= self.window_seconds:
            self._times.popleft()
        if len(self._times) >= self.max_calls:
            return False, 0, self.window_seconds - (now - self._times[0])
        self._times.append(now)
        return True, self.max_calls - len(self._times), 0.0


class EmulatorGate:
    """ASGI middleware in front of an emulator: counts calls, applies limits and faults."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        render_error: Callable[[str, float], ErrorResponse],
        rate_headers: Callable[[RollingWindow, int], dict[str, str]] | None = None,
    ) -> None:
        self.app = app
        self.render_error = render_error
        self.rate_headers = rate_headers
        self.faults = Faults()
        self.rate_limit: RollingWindow | None = None
        self.calls = 0
        self.calls_by_path: dict[str, int] = {}
        self.arrivals: list[float] | None = None  # monotonic arrival times, when recording
        self.lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with self.lock:
            self.calls += 1
            path = scope["path"]
            self.calls_by_path[path] = self.calls_by_path.get(path, 0) + 1
            if self.arrivals is not None:
                self.arrivals.append(time.monotonic())
            fault = self.faults.take()
            admitted, remaining, wait = self._admit()
        if not admitted:
            await _respond(send, self.render_error("throttle", max(wait, 0.001)))
            return
        if fault in ("throttle", "server_error"):
            await _respond(send, self.render_error(fault, self.faults.retry_after_seconds))
            return
        if fault == "timeout":
            await asyncio.sleep(self.faults.timeout_delay_seconds)
        if fault == "malformed":
            await _respond(send, (200, {"content-type": "application/json"}, b'{"results": [{"id"'))
            return
        await self.app(scope, receive, self._with_rate_headers(send, remaining))

    def _admit(self) -> tuple[bool, int, float]:
        if self.rate_limit is None:
            return True, -1, 0.0
        return self.rate_limit.admit(time.monotonic())

    def _with_rate_headers(self, send: Send, remaining: int) -> Send:
        if self.rate_limit is None or self.rate_headers is None:
            return send
        extra = [
            (k.lower().encode(), v.encode()) for k, v in self.rate_headers(self.rate_limit, remaining).items()
        ]
        window = self.rate_limit

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start" and window is not None:
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        return send_with_headers

    def set_rate_limit(self, max_calls: int | None, window_seconds: float = 10.0) -> None:
        """Answer 429 past ``max_calls`` per rolling window (``None`` lifts the limit)."""
        with self.lock:
            self.rate_limit = None if max_calls is None else RollingWindow(max_calls, window_seconds)


async def _respond(send: Send, response: ErrorResponse) -> None:
    status, headers, body = response
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def run_emulator(
    app: ASGIApp, *, ssl_certfile: str | None = None, ssl_keyfile: str | None = None
) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 in a background thread; yield its base URL."""
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
        ssl_certfile=ssl_certfile,
        ssl_keyfile=ssl_keyfile,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"emulator-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"emulator did not start on port {port}")
        time.sleep(0.01)
    scheme = "https" if ssl_certfile else "http"
    try:
        yield f"{scheme}://127.0.0.1:{port}"
    finally:
        # Clients keep connections alive; do not wait for them to hang up.
        server.should_exit = server.force_exit = True
        thread.join(timeout=5)


def monotonic_ms() -> Callable[[], int]:
    """A clock in epoch milliseconds that never goes back (ties allowed, as at the vendors:
    a bulk change stamps many records with the same millisecond)."""
    last = [0]
    lock = threading.Lock()

    def tick() -> int:
        with lock:
            last[0] = max(int(time.time() * 1000), last[0])
            return last[0]

    return tick
