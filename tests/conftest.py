"""Shared fixtures. Tests that need Kafka and MongoDB use the `stack` fixture, which starts the
real broker and wire server (or uses KAFKA_BOOTSTRAP_SERVERS / MONGODB_URL): it never skips, so a
missing broker or database fails the run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gatepost_devstack.config import TEST_PORTS
from gatepost_devstack.stack import Stack
from tests.suites import refuse_the_stack_in_a_unit_run

pytest_plugins = ["tests.no_skips", "tests.failure_logs"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that stop shared infrastructure (marked `disruptive`) run after all the others, and
    tests that move the shared stack's clock forward (`moves_clock(hours=…)`) after those, the
    smallest move first: every other test signs and compares times in real time (a webhook's
    timestamp, a metric's window), which a stack hours ahead refuses."""

    def order(item: pytest.Item) -> tuple[float, bool]:
        moves = item.get_closest_marker("moves_clock")
        hours = float(moves.kwargs.get("hours", 0)) if moves else -1.0
        return hours, item.get_closest_marker("disruptive") is not None

    items.sort(key=order)


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    refuse_the_stack_in_a_unit_run()
    started = Stack(
        "test",
        TEST_PORTS,
        fresh=True,
        auto_consent=True,
        environment="test",
        database_prefix=os.environ.get("GATEPOST_TEST_DB_PREFIX", "gatepost_test"),
    )
    started.start()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def faults(stack: Stack) -> Iterator[Any]:
    """`faults(path, **fault)`: the TikTok stand-in misbehaves on `path` (cleared after)."""
    url = f"http://127.0.0.1:{stack.ports.tiktok}/_control/faults"

    def inject(path: str, **fault: Any) -> None:
        httpx.put(url, json={path: fault}).raise_for_status()

    yield inject
    httpx.put(url, json={}).raise_for_status()


@pytest.fixture
def openai_behaviour(stack: Stack) -> Iterator[Any]:
    """`openai_behaviour(**rules)`: the OpenAI stand-in misbehaves (reset after)."""
    url = f"http://127.0.0.1:{stack.ports.openai}/_control/behaviour"

    def set_rules(**rules: Any) -> None:
        httpx.put(url, json=rules).raise_for_status()

    yield set_rules
    set_rules()
