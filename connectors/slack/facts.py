"""Slack's facts Nudge relies on: ids of the blocks and actions it sends, signing, references.

The emulator and the interaction parser read these; nothing here calls Slack.
"""

from __future__ import annotations

from dataclasses import dataclass

CHANNELS: tuple[str, ...] = ("slack_dm", "slack_channel")
SIGNATURE_HEADER = "X-Slack-Signature"
TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
SIGNATURE_VERSION = "v0"

# action_id of each interactive element; the alert id travels in ``value`` (or the block id).
ACKNOWLEDGE = "nudge_acknowledge"
SNOOZE = "nudge_snooze"
PROMISE = "nudge_promise"
DISPUTE = "nudge_dispute"
OPEN = "nudge_open"
OPEN_CRM = "nudge_open_crm"
SNOOZE_DAYS = (1, 3, 7)

# Modals: callback ids and the blocks whose errors Slack shows under the field.
PROMISE_MODAL = "nudge_promise_modal"
DISPUTE_MODAL = "nudge_dispute_modal"
PROMISE_DATE_BLOCK = "promise_date"
PROMISE_AMOUNT_BLOCK = "promise_amount"
DISPUTE_REASON_BLOCK = "dispute_reason"
FIELD_ACTION = "value"

# Message metadata: the delivery key, so a retried post can find the message it made.
METADATA_EVENT = "nudge_message"

# Slack's limits on what one message may hold.
MAX_BLOCKS = 50
MAX_TEXT = 3000

SLASH_COMMAND = "/nudge"


@dataclass(frozen=True)
class MessageRef:
    """Where a posted message lives: its conversation and timestamp (``ts``)."""

    channel: str
    ts: str

    def __str__(self) -> str:
        return f"{self.channel}:{self.ts}"

    @classmethod
    def parse(cls, ref: str) -> MessageRef:
        """``"D0123:1700000000.000100"`` -> MessageRef; anything else is a ValueError."""
        channel, sep, ts = ref.partition(":")
        if not sep or not channel or not ts:
            raise ValueError(f"not a Slack message reference (channel:ts): {ref!r}")
        return cls(channel, ts)
