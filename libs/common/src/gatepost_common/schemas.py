"""Write the JSON Schema of every event into a folder: `python -m gatepost_common.schemas DIR`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from gatepost_common.cloud_event import CloudEvent
from gatepost_common.events import EVENT_TYPES


def event_schemas() -> dict[str, dict[str, Any]]:
    """File name → JSON Schema of the full CloudEvent for each event type."""
    out: dict[str, dict[str, Any]] = {}
    for model in EVENT_TYPES:
        schema = CloudEvent[model].model_json_schema()  # type: ignore[valid-type]
        schema["$id"] = model.SCHEMA
        schema["title"] = f"{model.TYPE} (CloudEvents 1.0)"
        out[model.SCHEMA.replace("gatepost/", "").replace("/", ".") + ".json"] = schema
    return out


def write(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in event_schemas().items():
        path = folder / name
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/schemas")):
        print(path)
