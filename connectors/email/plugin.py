"""Registry entry for e-mail (a notifier; its emulator is the local SMTP sink)."""

from connectors.core.registry import ConnectorSpec
from connectors.email.notifier import build_notifier
from connectors.email.settings import EmailSettings

EXAMPLE = """\
# the relay: smtp:// with STARTTLS (port 587 by default) or smtps:// (implicit TLS, 465)
export NUDGE_SMTP_URL='smtp://nudge:app-password@smtp.example.com:587?starttls=true'
export NUDGE_EMAIL_FROM='Nudge <nudge@example.com>'
export NUDGE_EMAIL_RATE_LIMIT=5             # optional: messages per second the relay allows

from connectors.core.registry import get
notifier = get("email").notifier()
rendered = notifier.render(message)         # an OutgoingMessage from the delivery pipeline
message_id = notifier.send(message, rendered)
"""


def configured(settings: EmailSettings | None = None) -> bool:
    """Whether ``NUDGE_SMTP_URL`` and ``NUDGE_EMAIL_FROM`` are both set."""
    return (settings or EmailSettings()).configured


CONNECTOR = ConnectorSpec(
    name="email",
    settings=EmailSettings,
    example=EXAMPLE,
    build_notifier=build_notifier,
)
