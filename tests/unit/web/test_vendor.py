"""The charting library the gateway serves (web/app/vendor/uplot) is exactly what npm installs at
the version in web/package.json: copied again by `npm run vendor`, nothing differs."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

WEB = Path(__file__).parents[3] / "web"
VENDORED = WEB / "app" / "vendor" / "uplot"


def test_the_vendored_chart_library_is_the_one_npm_installs(tmp_path: Path) -> None:
    installed = json.loads((WEB / "node_modules" / "uplot" / "package.json").read_text())
    assert (
        installed["version"]
        == json.loads((WEB / "package.json").read_text())["devDependencies"]["uplot"]
    )
    assert installed["license"] == "MIT"
    copied = subprocess.run(
        ["node", "scripts/vendor.mjs", str(tmp_path)],
        cwd=WEB,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert copied.returncode == 0, copied.stderr
    fresh = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    committed = {p.name: p.read_bytes() for p in VENDORED.iterdir()}
    assert set(fresh) == {"uPlot.esm.js", "uPlot.esm.d.ts", "uPlot.min.css", "LICENSE"}
    assert committed == fresh, "web/app/vendor is stale: run `npm run vendor` in web/"
    assert f"(v{installed['version']})" in (VENDORED / "uPlot.esm.js").read_text()[:400]
