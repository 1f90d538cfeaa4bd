"""The ``/slack-preview`` page: what each person received in Slack, without a Slack workspace.

When the Slack connector talks to a local emulator (the demo), the emulator draws every
direct message as Slack shows it, with working buttons and modals (each click is a signed
request to Nudge, exactly as Slack would send it); this page shows that preview inside the
web app. Against the real Slack there is nothing to preview: the page says so.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from agent.auth.deps import WebUser
from agent.web.views import render
from connectors.core.registry import NotConfiguredError, get

router = APIRouter(include_in_schema=False)
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def emulator_preview_url() -> str | None:
    """The emulator's preview page, when the Slack connector points at a local emulator."""
    try:
        base_url = get("slack").load_settings().base_url
    except NotConfiguredError:
        return None
    if not base_url or urlsplit(base_url).hostname not in LOOPBACK:
        return None
    return base_url.rstrip("/").removesuffix("/api") + "/preview"


@router.get("/slack-preview", response_class=HTMLResponse)
def slack_preview_page(request: Request, user: WebUser) -> HTMLResponse:
    """The emulator's Slack preview framed in the app, or why there is none."""
    url = emulator_preview_url()
    response = render(request, "slack_preview.html", user=user, preview_url=url)
    if url is not None:  # let this page frame the emulator's page, and nothing else
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
        response.headers["Content-Security-Policy"] = (
            f"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            f"frame-src {origin}; frame-ancestors 'none'"
        )
    return response
