"""Registry entry of the recording notifier (installed by :func:`install.install_recorder`)."""

from connectors.core.registry import ConnectorSpec
from tests.connectors.recorder.notifier import RecorderSettings, RecordingNotifier

EXAMPLE = """\
export NUDGE_RECORDER_FILE=sent.jsonl      # every accepted message, one JSON line each

from connectors.core.registry import get
notifier = get("recorder").build_notifier()
"""


def configured(settings: RecorderSettings) -> bool:
    """On once ``NUDGE_RECORDER_FILE`` is set."""
    return settings.file is not None


CONNECTOR = ConnectorSpec(
    name="recorder",
    settings=RecorderSettings,
    example=EXAMPLE,
    configured=configured,
    notifier=RecordingNotifier,
)
