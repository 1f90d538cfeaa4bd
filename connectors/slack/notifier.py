"""The Slack notifier: one Block Kit message per account group and recipient, edited in place.

A person is reached in their direct message (their Slack id, else ``users.lookupByEmail``,
cached; the DM opened with ``conversations.open``); a channel receiver's address is the
channel. A message that replaces an earlier one (``previous_ref``) is edited with
``chat.update``. The vendor id is ``channel:ts``, recorded by the pipeline right after the
post. The message's key rides in Slack's message metadata, so a retry after a crash
between the post and the record finds the message instead of posting it again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from connectors.core.protocols import DeliveryError, OutgoingMessage, Recipient, Rendered
from connectors.slack import blocks, facts
from connectors.slack.client import SlackApi
from connectors.slack.facts import MessageRef
from connectors.slack.settings import SlackSettings

# How far back a retry looks for the message an earlier attempt may have posted.
HISTORY_LOOKBACK_SECONDS = 6 * 3600


class SlackNotifier:
    """Renders and sends ``slack_dm`` and ``slack_channel`` messages."""

    name = "slack"
    channels: tuple[str, ...] = facts.CHANNELS
    per_account = True

    def __init__(self, settings: SlackSettings, *, clock: Callable[[], float] = time.time) -> None:
        self.api = SlackApi(settings)
        self.cache_seconds = settings.lookup_cache_seconds
        self._users: dict[str, tuple[str, float]] = {}
        self._dms: dict[str, str] = {}
        self._clock = clock
        self._lock = threading.Lock()

    def render(self, message: OutgoingMessage) -> Rendered:
        """Blocks and their fallback text (pure)."""
        text = blocks.fallback_text(message)
        return Rendered(text=text, body={"text": text, "blocks": blocks.message_blocks(message)})

    def send(self, message: OutgoingMessage, rendered: Rendered) -> str:
        """Edit ``previous_ref`` or post; returns ``channel:ts``."""
        body = rendered.body or {"text": rendered.text}
        if message.previous_ref:
            edited = self._edit(MessageRef.parse(message.previous_ref), body)
            if edited is not None:
                return str(edited)
        channel = self.conversation(message.recipient)
        if message.attempt > 1 and (found := self._posted_before(channel, message.key)) is not None:
            return str(found)
        answer = self.api.post(
            channel,
            text=body.get("text", rendered.text),
            blocks=body.get("blocks", []),
            unfurl_links=False,
            metadata={"event_type": facts.METADATA_EVENT, "event_payload": {"key": message.key}},
        )
        return str(MessageRef(str(answer["channel"]), str(answer["ts"])))

    def update(self, ref: MessageRef, body: dict[str, Any]) -> MessageRef | None:
        """``chat.update`` of a posted message; None when Slack no longer has it."""
        return self._edit(ref, body)

    def conversation(self, recipient: Recipient) -> str:
        """The conversation to post in: the person's DM, or the receiver's channel."""
        if recipient.kind != "person":
            return recipient.address
        user = recipient.slack_id or self.user_id(recipient.address)
        with self._lock:
            known = self._dms.get(user)
        if known is not None:
            return known
        opened = self.api.call("conversations.open", users=user)
        channel = str(opened["channel"]["id"])
        with self._lock:
            self._dms[user] = channel
        return channel

    def user_id(self, email: str) -> str:
        """The Slack user with this e-mail address (``users.lookupByEmail``, cached)."""
        now = self._clock()
        with self._lock:
            cached = self._users.get(email.lower())
        if cached is not None and now - cached[1] < self.cache_seconds:
            return cached[0]
        try:
            found = self.api.call("users.lookupByEmail", email=email)
        except DeliveryError as error:
            if "users_not_found" in str(error):
                raise DeliveryError(
                    f"slack: no Slack user has the address {email}", retryable=False
                ) from None
            raise
        user = str(found["user"]["id"])
        with self._lock:
            self._users[email.lower()] = (user, now)
        return user

    def _edit(self, ref: MessageRef, body: dict[str, Any]) -> MessageRef | None:
        try:
            self.api.call(
                "chat.update",
                channel=ref.channel,
                ts=ref.ts,
                text=body.get("text", ""),
                blocks=body.get("blocks", []),
            )
        except DeliveryError as error:
            if "message_not_found" in str(error) or "cant_update_message" in str(error):
                return None  # deleted in Slack: post a fresh one
            raise
        return ref

    def _posted_before(self, channel: str, key: str) -> MessageRef | None:
        """The message an earlier attempt posted with ``key``, if Slack has it."""
        history = self.api.call(
            "conversations.history",
            channel=channel,
            oldest=str(self._clock() - HISTORY_LOOKBACK_SECONDS),
            include_all_metadata=True,
            limit=200,
        )
        for posted in history.get("messages", []):
            payload = (posted.get("metadata") or {}).get("event_payload") or {}
            if payload.get("key") == key:
                return MessageRef(channel, str(posted["ts"]))
        return None
