"""Shared fixtures. Tests that need Kafka and MongoDB use the `stack` fixture, which starts the
real broker and wire server (or uses KAFKA_BOOTSTRAP_SERVERS / MONGODB_URL): it never skips, so a
missing broker or database fails the run."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from gatepost_devstack.config import TEST_PORTS
from gatepost_devstack.stack import Stack

pytest_plugins = ["tests.no_skips"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that stop shared infrastructure (marked `disruptive`) run after all the others."""
    items.sort(key=lambda item: item.get_closest_marker("disruptive") is not None)


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
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
