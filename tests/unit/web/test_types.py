"""The web UI type-checks (TypeScript over its JSDoc) against the types generated from the
services' OpenAPI documents: a field the UI reads that no service answers fails here."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

WEB = Path(__file__).parents[3] / "web"


def tsc(*arguments: str) -> subprocess.CompletedProcess[str]:
    binary = WEB / "node_modules" / ".bin" / "tsc"
    assert binary.exists(), "run `npm ci` in web/ (./dev test does)"
    return subprocess.run(
        [str(binary), *arguments], cwd=WEB, capture_output=True, text=True, timeout=300
    )


def test_the_web_ui_type_checks_against_the_services_documents() -> None:
    checked = tsc("-p", "jsconfig.json")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_field_no_service_answers_fails_the_check(tmp_path: Path) -> None:
    copy = tmp_path / "web"
    shutil.copytree(WEB / "app", copy / "app")
    shutil.copytree(WEB / "types", copy / "types")
    shutil.copy(WEB / "jsconfig.json", copy / "jsconfig.json")
    queue = copy / "app" / "src" / "queue.js"
    queue.write_text(queue.read_text().replace("post.fail_reason", "post.failure_reason", 1))
    checked = tsc("-p", str(copy / "jsconfig.json"))
    assert checked.returncode != 0
    assert "failure_reason" in checked.stdout
