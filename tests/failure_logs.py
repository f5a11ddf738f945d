"""A pytest plugin: when a test against the running stack fails, its report carries what the
services logged as warnings and errors while it ran, so a failure seen only in CI says what the
services saw, not only what the test saw."""

from __future__ import annotations

import json
from collections.abc import Generator
from datetime import UTC, datetime
from pathlib import Path

import pytest

LINES_PER_SERVICE = 25


def complaints(logs: Path, since: float) -> str:
    """Warning and error lines of each service's JSON log written since `since` (epoch s)."""
    start = datetime.fromtimestamp(since, UTC).isoformat()
    found = []
    for log in sorted(logs.glob("*.log")):
        lines = []
        with log.open(encoding="utf-8", errors="replace") as text:
            for line in text:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if (
                    isinstance(entry, dict)
                    and str(entry.get("time", "")) >= start
                    and entry.get("level") in ("WARNING", "ERROR", "CRITICAL")
                ):
                    lines.append(f"{entry['time'][11:23]} {entry['level']} {entry.get('message')}")
        if lines:
            found += [f"--- {log.stem} ({len(lines)})", *lines[-LINES_PER_SERVICE:]]
    return "\n".join(found) or "no service logged a warning or an error meanwhile"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    stack = getattr(item, "funcargs", {}).get("stack")
    if report.when == "call" and report.failed and stack is not None:
        report.sections.append(
            ("services' warnings and errors", complaints(stack.supervisor.logs, call.start))
        )
    return report
