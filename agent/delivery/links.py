"""The actions a message offers for each alert: a provider the channels plug their links into.

A :data:`LinkProvider` is called once per alert line with the alert row and the message's
recipient. The default (:func:`default_links`) offers a person signed one-click links
(acknowledge, snooze 3 days; see :mod:`agent.links`) and everyone "Open in Nudge".
"""

from __future__ import annotations

from collections.abc import Callable

from agent.alerts.tables import Alert as AlertRow
from agent.db.types import utcnow
from agent.links.service import ActionLinks
from agent.settings import Settings
from connectors.core.protocols import ActionLink, Recipient

LinkProvider = Callable[[AlertRow, Recipient], tuple[ActionLink, ...]]


def account_url(base_url: str, account_id: int) -> str:
    """The account's page in the web app."""
    return f"{base_url}/accounts/{account_id}"


def open_in_nudge(base_url: str) -> LinkProvider:
    """A provider offering one link per alert: its account's page in Nudge."""

    def links(alert: AlertRow, _recipient: Recipient) -> tuple[ActionLink, ...]:
        return (
            ActionLink(action="open", label="Open in Nudge", url=account_url(base_url, alert.account_id)),
        )

    return links


def default_links(settings: Settings) -> LinkProvider:
    """The provider the cycle, ``nudge deliver`` and ``nudge serve`` use: signed links that
    expire ``NUDGE_LINK_TTL_HOURS`` after now (the wall clock: people click in real time)."""
    return ActionLinks.from_settings(settings, now=utcnow()).links
