"""Faults for the delivery tests: MongoDB stopped for a while (and started again on its own
data), and a service frozen (SIGSTOP) so messages pile up for it and reach it only once a fault
is in place."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager

from gatepost_devstack import infra
from gatepost_devstack.stack import Stack


def stop_mongo(stack: Stack) -> None:
    mongo = stack.supervisor.child("mongo")
    stack.supervisor.stop_child(mongo)
    stack.supervisor.children.remove(mongo)


def start_mongo(stack: Stack) -> None:
    """The MongoDB-wire server again, on the data it had (it keeps it on disk)."""
    config = infra.MongoConfig(stack.ports.mongo, stack.folder / "mongo", stack.mongo_in_memory)
    infra.start_mongo(stack.supervisor, config)


@contextmanager
def frozen(stack: Stack, service: str) -> Iterator[None]:
    """`service`'s processes stopped (SIGSTOP) inside the block, continued (SIGCONT) after."""
    group = stack.supervisor.child(service).process.pid
    os.killpg(group, signal.SIGSTOP)
    try:
        yield
    finally:
        os.killpg(group, signal.SIGCONT)
