"""Registry entry for Slack: a notifier (``slack_dm``, ``slack_channel``), the interactivity,
command and event routes, an emulator.

Builders import the client library when called, so listing connectors stays cheap.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any

from connectors.core.protocols import Notifier
from connectors.core.registry import ConnectorSpec, EmulatorSpec
from connectors.core.webhooks import WebhookRoute
from connectors.slack.settings import SlackSettings

EXAMPLE = """\
# the app's bot token (OAuth & Permissions) and signing secret (Basic Information)
export NUDGE_SLACK_BOT_TOKEN=xoxb-...
export NUDGE_SLACK_SIGNING_SECRET=...
# Request URLs: https://nudge.example.com/integrations/slack/{interactions,commands,events}

from connectors.core.registry import get
notifier = get("slack").build_notifier()   # serves slack_dm and slack_channel
"""


def build_notifier(settings: SlackSettings) -> Notifier:
    """Slack's notifier over the official WebClient."""
    from connectors.slack.notifier import SlackNotifier

    return SlackNotifier(settings)


def webhooks(settings: SlackSettings) -> Sequence[WebhookRoute]:
    """Interactivity, ``/nudge`` and events once the signing secret is set."""
    from connectors.slack.client import SlackApi
    from connectors.slack.interactions import routes

    if settings.signing_secret is None:
        return ()
    api = SlackApi(settings)
    return routes(
        secret=settings.signing_secret.get_secret_value(),
        tolerance=timedelta(seconds=settings.signature_tolerance_seconds),
        call=api.call,
    )


def create_emulator() -> Any:
    """An empty Slack workspace (``seed(users, channels)``)."""
    from connectors.slack.emulator import SlackEmulator

    return SlackEmulator()


@contextlib.contextmanager
def serve_emulator(emulator: Any) -> Iterator[dict[str, str]]:
    """Serve the emulator on a free local port; the variables pointing Nudge at it."""
    from connectors.core.emulator import run_emulator

    with run_emulator(emulator.app) as url:
        emulator.base_url = url
        yield {
            "NUDGE_SLACK_BASE_URL": f"{url}/api/",
            "NUDGE_SLACK_BOT_TOKEN": emulator.bot_token,
            "NUDGE_SLACK_SIGNING_SECRET": emulator.signing_secret,
            "NUDGE_SLACK_POST_INTERVAL_SECONDS": "0",  # the emulator limits only when asked to
        }


CONNECTOR = ConnectorSpec(
    name="slack",
    settings=SlackSettings,
    example=EXAMPLE,
    notifier=build_notifier,
    webhooks=webhooks,
    emulator=EmulatorSpec(create=create_emulator, serve=serve_emulator),
)
