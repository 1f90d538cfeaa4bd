"""Registry entry of the recording notifier (installed by :func:`install.install_recorder`)."""

from connectors.core.registry import ConnectorSpec
from tests.connectors.recorder.notifier import RecorderSettings, build

EXAMPLE = """\
export NUDGE_RECORDER_FILE=sent.jsonl      # every accepted message, one JSON line each

from connectors.core.registry import get
notifier = get("recorder").notifier()
"""

CONNECTOR = ConnectorSpec(
    name="recorder",
    settings=RecorderSettings,
    build_notifier=build,
    example=EXAMPLE,
)
