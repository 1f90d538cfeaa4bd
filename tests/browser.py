"""Real headless Chromium (Debian's package) driven by Playwright, and an app served for it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from connectors.core.emulator import run_emulator

CHROMIUM = Path("/usr/bin/chromium")
# Without the networking flags Chromium reaches for Google's hosts, which this closed
# network refuses; the sandbox needs user namespaces that CI runs do not have as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium; never downloads a browser."""
    if not CHROMIUM.exists():
        raise RuntimeError("Debian's chromium is not installed: run scripts/ensure-services.sh")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# Pages under test are served the way the vendor emulators are: uvicorn in a thread on loopback.
served = run_emulator
