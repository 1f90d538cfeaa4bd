"""Registry entry of the recording notifier (installed by :func:`install.install_recorder`)."""

from connectors.core.registry import ConnectorSpec
from tests.connectors.recorder.notifier import RecorderSettings, build

CONNECTOR = ConnectorSpec(
    name="recorder",
    settings=RecorderSettings,
    build_notifier=build,
    example='export NUDGE_RECORDER_FILE=sent.jsonl\nfrom connectors.core.registry import get\nget("recorder").notifier()\n',
)
