"""A sync process to kill: ``python sync_worker.py CONNECTOR STATE_DIR``.

Settings come from the ``NUDGE_*`` environment like in production. Each page's records are
appended to ``records.jsonl`` and flushed, then ``cursor.json`` is replaced atomically: the
same order as a store that commits records and cursor in one transaction, so whatever a
SIGKILL interrupts, the committed cursor never runs ahead of the committed records.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any


def main(connector: str, state: Path) -> None:
    spec = importlib.import_module(f"connectors.{connector}.plugin").CONNECTOR
    source = spec.build_source()
    cursor_file, records_file = state / "cursor.json", state / "records.jsonl"
    saved: dict[str, Any] = (
        json.loads(cursor_file.read_text())
        if cursor_file.exists()
        else {"cursor": None, "pages": 0, "records": 0}
    )
    with records_file.open("a", encoding="utf-8") as out:
        for page in source.pull(saved["cursor"]):
            for record in page.records:
                out.write(record.model_dump_json() + "\n")
            out.flush()
            os.fsync(out.fileno())
            saved = {
                "cursor": page.cursor,
                "pages": saved["pages"] + 1,
                "records": saved["records"] + len(page.records),
            }
            tmp = state / "cursor.tmp"
            tmp.write_text(json.dumps(saved))
            os.replace(tmp, cursor_file)


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
