"""The devstack's process supervision, and the rule that a skipped test fails the run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gatepost_devstack.supervisor import StartError, Supervisor

ROOT = Path(__file__).parents[3]


def test_a_part_that_fails_to_start_stops_the_others_and_shows_its_log(tmp_path: Path) -> None:
    supervisor = Supervisor(tmp_path)
    sleeper = supervisor.start(
        "sleeper", [sys.executable, "-c", "import time; time.sleep(60)"], ready=lambda: True
    )
    with pytest.raises(StartError, match="broken exited with 3") as failure:
        supervisor.start(
            "broken",
            [sys.executable, "-c", "print('cannot bind port'); raise SystemExit(3)"],
            ready=lambda: False,
        )
    assert "cannot bind port" in str(failure.value)
    supervisor.stop()
    assert sleeper.process.poll() is not None


def test_a_part_that_never_gets_ready_times_out(tmp_path: Path) -> None:
    supervisor = Supervisor(tmp_path)
    try:
        with pytest.raises(StartError, match="not ready after 1s"):
            supervisor.start(
                "slow",
                [sys.executable, "-c", "import time; time.sleep(30)"],
                ready=lambda: False,
                timeout=1,
            )
    finally:
        supervisor.stop()


def test_a_run_with_a_skipped_test_fails(tmp_path: Path) -> None:
    (tmp_path / "test_skip.py").write_text(
        "import pytest\n\ndef test_needs_kafka():\n    pytest.skip('no broker')\n"
    )
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.no_skips",
            "-q",
            "-c",
            "/dev/null",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1, run.stdout
    assert "were skipped; none may be" in run.stdout
