"""The web UI's types are what the running services document: generated again from their
OpenAPI documents, they equal the ones in web/types (else: `npm run types` and commit)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from gatepost_devstack.stack import Stack

WEB = Path(__file__).parents[2] / "web"


def test_the_web_uis_types_are_generated_from_the_services_documents(
    stack: Stack, tmp_path: Path
) -> None:
    made = subprocess.run(
        ["node", "scripts/api-types.mjs", stack.gateway_url, str(tmp_path)],
        cwd=WEB,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    committed = {p.name: p.read_text() for p in (WEB / "types").glob("*.d.ts")}
    generated = {p.name: p.read_text() for p in tmp_path.glob("*.d.ts")}
    assert set(generated) == set(committed)
    stale = [name for name in committed if committed[name] != generated[name]]
    assert stale == [], f"web/types is stale: run `npm run types` in web/ ({stale})"
