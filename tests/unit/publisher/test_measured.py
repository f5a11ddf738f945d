"""Each new reading of a live post leaves as `post.measured` (approval announces it to the
person's webhooks); a reading taken twice is stored once and emitted once, and Kafka away loses
only that reading's event, never the reading."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from gatepost_common.cloud_event import CloudEvent
from gatepost_common.events import PostMeasured
from gatepost_common.ratelimit import RateLimiter
from gatepost_publisher.collecting import Collector
from gatepost_publisher.insight_store import InsightStore
from gatepost_publisher.livestore import LiveStore
from tests.unit.memory import MemoryDatabase
from tests.unit.publisher.fakes import FakeClock
from tests.unit.publisher.test_collecting import StrictDisplay, Tokens, seed, settings


async def test_each_new_reading_is_emitted_once_as_post_measured() -> None:
    clock, db = FakeClock(), MemoryDatabase()
    live, store = LiveStore(cast(Any, db)), InsightStore(cast(Any, db))
    await seed(live, {"acct": 2}, clock.now() - timedelta(hours=1))
    emitted: list[tuple[CloudEvent[Any], str]] = []
    kafka_away = False

    async def emit(event: CloudEvent[Any], key: str) -> None:
        if kafka_away:
            raise TimeoutError("Kafka did not acknowledge")
        emitted.append((event, key))

    limiter = RateLimiter(cast(Any, db), clock)
    collector = Collector(
        settings(), live, store, Tokens(), StrictDisplay(clock), limiter, clock, emit=emit
    )
    assert await collector.collect() == 2
    assert sorted(key for _, key in emitted) == ["post-1", "post-2"]
    event = emitted[0][0]
    assert isinstance(event.data, PostMeasured) and event.type == "post.measured"
    assert (event.data.account_id, event.data.point, event.data.views) == ("acct", 1, 1)
    # the same reading again (a replica that read it too): stored once, emitted once
    stored = await db["insight_readings"].find_one({"post_id": "post-1"})
    assert stored is not None
    assert not await store.add_reading(stored)
    kafka_away = True
    clock.advance(6 * 3600)
    assert await collector.collect() == 2  # read and stored though the events could not leave
    assert len(emitted) == 2
    assert await db["insight_readings"].count_documents({}) == 4
