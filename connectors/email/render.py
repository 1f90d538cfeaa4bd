"""An outgoing message as an e-mail: subject, plain-text part and HTML part (pure, no I/O).

Both parts come from Jinja2 templates beside this module; the HTML one is autoescaped (alert
messages and account names are data from CRMs) and styled inline, since mail clients drop
``<style>`` sheets and never load external ones.
"""

from __future__ import annotations

from collections.abc import Sized

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from connectors.core.protocols import OutgoingMessage, Rendered
from connectors.email.format import chance, dso_phrase, due_phrase, money

SUBJECT_LIMIT = 150
SEVERITY_COLOURS = {"critical": "#b91c1c", "high": "#dc2626", "medium": "#d97706", "low": "#2563eb"}
HEADINGS = {
    "digest": "Your payment alerts digest",
    "escalation": "Escalation: alerts nobody has acted on",
    "alerts": "Payment alerts on your accounts",
    "reminder": "A silence you set ends soon",
}

TEMPLATES = Environment(
    loader=PackageLoader("connectors.email", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
TEMPLATES.filters.update(
    money=money,
    due=due_phrase,
    chance=chance,
    dso=dso_phrase,
    severity_colour=lambda severity: SEVERITY_COLOURS.get(severity, "#52606d"),
)


def render_email(message: OutgoingMessage) -> Rendered:
    """The subject, text and HTML of ``message``, grouped per account as composed."""
    title = subject(message)
    context = {
        "message": message,
        "subject": title,
        "heading": HEADINGS.get(message.kind, HEADINGS["alerts"]),
        "intro": _intro(message),
        "footer": _footer(message),
    }
    return Rendered(
        text=TEMPLATES.get_template("message.txt").render(context),
        subject=title,
        html=TEMPLATES.get_template("message.html").render(context),
    )


def subject(message: OutgoingMessage) -> str:
    """One line naming what the message is about, at most :data:`SUBJECT_LIMIT` characters."""
    alerts = [alert for section in message.sections for alert in section.alerts]
    if message.kind == "digest":
        text = f"Nudge digest: {_count(alerts, 'alert')} on {_count(message.sections, 'account')}"
    elif len(message.sections) == 1 and len(alerts) == 1:
        text = f"Nudge: {message.sections[0].name}: {alerts[0].message}"
    elif len(message.sections) == 1:
        text = f"Nudge: {_count(alerts, 'alert')} on {message.sections[0].name}"
    else:
        text = f"Nudge: {_count(alerts, 'alert')} on {_count(message.sections, 'account')}"
    if message.kind == "escalation":
        text = "Escalation - " + text
    if not alerts and message.notes:
        text = f"Nudge: {message.notes[0]}"
    line = " ".join(text.split())  # no header injection through a newline in CRM data
    return line if len(line) <= SUBJECT_LIMIT else line[: SUBJECT_LIMIT - 1] + "…"


def _count(items: Sized, noun: str) -> str:
    return _plural(len(items), noun)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _intro(message: OutgoingMessage) -> str:
    alerts = sum(len(section.alerts) for section in message.sections)
    if not alerts:
        return f"Hello {message.recipient.name}." if message.recipient.name else ""
    hello = f"Hello {message.recipient.name}: " if message.recipient.name else ""
    what = f"{_plural(alerts, 'alert')} on {_count(message.sections, 'account')}"
    if message.kind == "escalation":
        return f"{hello}{what} {'has' if alerts == 1 else 'have'} not been acted on by the owner yet."
    return f"{hello}{what} {'needs' if alerts == 1 else 'need'} a look, grouped by account below."


def _footer(message: OutgoingMessage) -> str:
    return (
        f"Sent by Nudge to {message.recipient.address}. Each action button works once and "
        f"expires; every alert is in Nudge at {message.nudge_url}"
    )
