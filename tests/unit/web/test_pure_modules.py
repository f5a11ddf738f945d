"""The web UI's pure modules (figures, slots, what needs you) under Node's own test runner
(`web/tests/*.test.mjs`), in one time zone and language so dates and names are known."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

WEB = Path(__file__).parents[3] / "web"


def test_the_web_uis_pure_modules_pass_their_node_tests() -> None:
    tests = sorted(str(p.relative_to(WEB)) for p in (WEB / "tests").glob("*.test.mjs"))
    assert len(tests) >= 3, tests
    # Berlin is UTC+1 in December: a test that confuses UTC's day with the person's fails
    environment = {**os.environ, "TZ": "Europe/Berlin", "LC_ALL": "en_US.UTF-8", "LANG": "en_US"}
    ran = subprocess.run(
        ["node", "--test", *tests],
        cwd=WEB,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stdout[-4000:] + ran.stderr[-2000:]
    assert "# fail 0" in ran.stdout
