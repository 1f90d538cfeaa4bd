"""People acting from inside a vendor's app: what a connector parses, what Nudge answers.

A connector's webhook route verifies a request and turns it into :class:`Interaction` s
(a button, a submitted form, a command, a home tab opened), vendor-neutral. The
application handles each one through its own services (alert actions, account context)
and returns an :class:`Outcome`; the route's ``answer`` turns the outcomes into the
vendor's HTTP answer (and the vendor calls that belong to it, such as opening a form).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from connectors.core.protocols import AccountSection

# action: a one-step alert action (acknowledge, snooze); form: the form of a two-step one
# (promise, dispute) to open; submit: that form submitted; lookup: an account looked up
# (a slash command); home: the person's overview opened; ping: the vendor checking the URL.
InteractionKind = Literal["action", "form", "submit", "lookup", "home", "ping"]


@dataclass(frozen=True)
class Interaction:
    """One thing a person did in the vendor's app, as the connector understood it."""

    vendor: str
    kind: InteractionKind
    request_id: str  # the same for a replay of the same request
    user_id: str = ""  # the person's id at the vendor
    action: str | None = None  # acknowledge | snooze | promise | dispute
    alert_id: int | None = None
    values: Mapping[str, str] = field(default_factory=dict)  # days, date, amount, reason, query
    message_ref: str | None = None  # the vendor id of the message acted from
    reply: Mapping[str, Any] = field(default_factory=dict)  # vendor bits the answer needs


@dataclass(frozen=True)
class Outcome:
    """What Nudge made of an interaction, for the connector to answer with."""

    interaction: Interaction
    error: str | None = None  # shown to the person
    field_errors: Mapping[str, str] = field(default_factory=dict)  # form field -> message
    title: str | None = None  # what a form is about ("Invoice INV-7, 1,200.00 EUR open")
    card: Mapping[str, Any] | None = None  # the account-context payload, for a lookup
    # The person's open alerts, grouped per account, when their overview (a home tab) should
    # be drawn again: on opening it and after each change they make.
    home: tuple[AccountSection, ...] | None = None
    nudge_url: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None and not self.field_errors


@dataclass(frozen=True)
class Answer:
    """The HTTP answer to the vendor: a status and a JSON body (None: empty)."""

    status: int = 200
    body: Mapping[str, Any] | None = None
