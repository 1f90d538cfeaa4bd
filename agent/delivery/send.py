"""Stages 3 and 4, render and send: the notifier's two calls, any failure as a DeliveryError.

A notifier is expected to raise :class:`DeliveryError`; anything else it raises is a
fault in the notifier or the network below it, recorded as a retryable error (the
message's key keeps a second attempt idempotent) rather than stopping other recipients.
"""

from __future__ import annotations

import logging

from connectors.core.protocols import DeliveryError, Notifier, OutgoingMessage, Rendered

log = logging.getLogger("nudge.delivery")


def render(notifier: Notifier, message: OutgoingMessage) -> Rendered:
    """The message in the channel's format."""
    try:
        return notifier.render(message)
    except DeliveryError:
        raise
    except Exception as exc:  # a notifier bug must not stop other recipients; it is recorded
        log.exception("notifier %s could not render message %s", notifier.name, message.key)
        raise DeliveryError(
            f"{notifier.name} could not render: {type(exc).__name__}: {exc}", retryable=False
        ) from exc


def send(notifier: Notifier, message: OutgoingMessage, rendered: Rendered) -> str:
    """Hand the message to the vendor and return its id."""
    try:
        return notifier.send(message, rendered)
    except DeliveryError:
        raise
    except Exception as exc:  # the vendor may or may not have it: retry with the same key
        log.exception("notifier %s failed to send message %s", notifier.name, message.key)
        raise DeliveryError(f"{notifier.name}: {type(exc).__name__}: {exc}", retryable=True) from exc
