"""The shared per-minute window (`gatepost_common.ratelimit`) over an in-memory MongoDB: its
rules on one clock. Several replicas claiming at once are tested against the real MongoDB-wire
server (`tests/integration/test_publisher.py`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

from gatepost_common.clock import Clock
from gatepost_common.ratelimit import RateLimiter
from tests.unit.memory import MemoryDatabase


class StoppedClock(Clock):
    def __init__(self) -> None:
        self.at = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


def limiter() -> tuple[RateLimiter, StoppedClock, MemoryDatabase]:
    clock, db = StoppedClock(), MemoryDatabase()
    return RateLimiter(cast(Any, db), clock), clock, db


async def claims(limiter: RateLimiter, key: str, limit: int, tries: int) -> list[timedelta]:
    return [await limiter.try_acquire(key, limit) for _ in range(tries)]


async def test_n_calls_a_minute_then_the_wait_until_the_oldest_frees() -> None:
    rates, clock, db = limiter()
    assert await rates.free_in("a:content_init", 6) == timedelta(0), "never used: free"
    first = await claims(rates, "a:content_init", 6, 6)
    assert first == [timedelta(0)] * 6
    clock.at += timedelta(seconds=20)
    assert await rates.try_acquire("a:content_init", 6) == timedelta(seconds=41)
    assert await rates.free_in("a:content_init", 6) == timedelta(seconds=41)
    assert await rates.try_acquire("b:content_init", 6) == timedelta(0), "keys are apart"
    clock.at += timedelta(seconds=41)
    assert await claims(rates, "a:content_init", 6, 7) == [timedelta(0)] * 6 + [
        timedelta(seconds=61)
    ]
    window = await db["rate_windows"].find_one({"_id": "a:content_init"})
    assert window is not None and len(window["used"]) == 6, "one document, one slot a call"


async def test_free_in_claims_nothing() -> None:
    rates, _, _ = limiter()
    await claims(rates, "a:status_fetch", 2, 1)
    for _ in range(5):
        assert await rates.free_in("a:status_fetch", 2) == timedelta(0)
    assert await claims(rates, "a:status_fetch", 2, 2) == [timedelta(0), timedelta(seconds=61)]


async def test_a_changed_limit_keeps_the_recent_calls() -> None:
    rates, clock, _ = limiter()
    await claims(rates, "k", 3, 3)
    clock.at += timedelta(seconds=10)
    raised = await claims(rates, "k", 5, 3)
    assert raised == [timedelta(0), timedelta(0), timedelta(seconds=51)], "2 more, not 5 more"
    clock.at += timedelta(seconds=5)
    # lowered to 2: the two most recent calls (10 s ago) fill the window until they are 61 s old
    assert await rates.try_acquire("k", 2) == timedelta(seconds=56)
    assert await rates.free_in("k", 2) == timedelta(seconds=56)


async def test_a_new_window_is_made_with_the_first_call_in_it() -> None:
    rates, clock, db = limiter()
    assert await rates.try_acquire("new", 2) == timedelta(0)
    window = await db["rate_windows"].find_one({"_id": "new"})
    assert window is not None and sorted(window["used"])[-1] == clock.at
    assert await claims(rates, "new", 2, 2) == [timedelta(0), timedelta(seconds=61)]


async def test_a_full_window_is_answered_from_memory_until_its_oldest_slot_frees() -> None:
    rates, clock, db = limiter()
    await claims(rates, "k", 2, 2)
    assert await rates.try_acquire("k", 2) == timedelta(seconds=61)
    await db["rate_windows"].delete_one({"_id": "k"})  # no command can see this now
    clock.at += timedelta(seconds=30)
    assert await rates.try_acquire("k", 2) == timedelta(seconds=31)
    assert await rates.free_in("k", 2) == timedelta(seconds=31)
    clock.at += timedelta(seconds=31)
    assert await rates.try_acquire("k", 2) == timedelta(0), "asked again once it could be free"
