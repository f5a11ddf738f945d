"""Background jobs are supervised: a crash restarts the job after a growing pause, and marks it
unhealthy (so /readyz fails) for a while; cancelling stops it."""

from __future__ import annotations

import asyncio

import pytest

from gatepost_common.service import Worker


async def test_a_crashed_job_is_restarted_and_reported_unhealthy() -> None:
    runs = 0

    async def flaky() -> None:
        nonlocal runs
        runs += 1
        if runs < 3:
            raise RuntimeError("the job fell over")
        await asyncio.sleep(3600)  # then it works, for a long time

    worker = Worker("flaky", flaky, first_pause_s=0.01)
    assert worker.healthy
    task = asyncio.create_task(worker.run())
    await asyncio.sleep(0.2)
    assert runs == 3 and worker.crashes == 2
    assert not worker.healthy  # crashed moments ago: /readyz says so
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_job_that_ends_is_not_restarted() -> None:
    runs = 0

    async def once() -> None:
        nonlocal runs
        runs += 1

    worker = Worker("once", once, first_pause_s=0.01)
    await asyncio.wait_for(worker.run(), 1)
    assert runs == 1 and worker.healthy
