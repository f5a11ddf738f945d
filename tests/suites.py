"""The test suites `./dev test <suite>` runs: `python -m tests.suites NAME` prints a suite's paths.

The unit suite starts no Kafka and no MongoDB: `./dev test unit` sets GATEPOST_SUITE=unit, and a
test of it that asks for the stack fails at once instead of starting one."""

from __future__ import annotations

import os
import sys

import pytest

SUITES: dict[str, tuple[str, ...]] = {
    # fakes in process, and the stand-ins as their own processes: no broker, no database
    "unit": ("tests/unit", "tests/standins"),
    "integration": ("tests/integration",),
    "e2e": ("tests/e2e",),
    "chaos": ("tests/chaos",),
}
SUITE_VARIABLE = "GATEPOST_SUITE"


def refuse_the_stack_in_a_unit_run() -> None:
    """Fail the asking test when this run is the unit suite, which starts no Kafka or MongoDB."""
    if os.environ.get(SUITE_VARIABLE) == "unit":
        pytest.fail(
            "the unit suite starts no Kafka or MongoDB: a test that needs the stack belongs in "
            "tests/integration (or tests/e2e)",
            pytrace=False,
        )


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in SUITES:
        sys.exit(f"usage: python -m tests.suites {{{'|'.join(SUITES)}}}")
    print(" ".join(SUITES[sys.argv[1]]))
