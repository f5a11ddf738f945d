"""The failure report's excerpt of the services' logs: only what they complained of meanwhile."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from tests.failure_logs import complaints


def line(at: str, level: str, message: str) -> str:
    return json.dumps({"time": at, "level": level, "service": "generator", "message": message})


def test_only_warnings_and_errors_written_since_the_test_began(tmp_path: Path) -> None:
    began = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    (tmp_path / "generator.log").write_text(
        "\n".join(
            [
                line("2026-11-24T00:59:59.900000+00:00", "ERROR", "before the test"),
                "Java-style line that is not JSON",
                line("2026-11-24T01:00:01.000000+00:00", "INFO", "routine"),
                line("2026-11-24T01:00:02.250000+00:00", "WARNING", "consumer group rebalancing"),
            ]
        )
    )
    (tmp_path / "kafka.log").write_text("[2026-11-24 01:00:03] INFO not JSON\n")
    found = complaints(tmp_path, began.timestamp())
    assert found.splitlines() == [
        "--- generator (1)",
        "01:00:02.250 WARNING consumer group rebalancing",
    ]


def test_a_quiet_run_says_so(tmp_path: Path) -> None:
    assert "no service" in complaints(tmp_path, 0)
