"""The app's creators of 24 hours (TikTok's app-wide cap) against the real MongoDB-wire server:
the positional update that counts a creator again, the conditional push that takes a new place,
the race for the last place, and giving a place back only when this job took it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.errors import DuplicateKeyError

from gatepost_devstack.outside import fresh_database
from gatepost_devstack.stack import Stack
from gatepost_publisher.headroom import AppCreators

AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


async def test_a_creator_counted_again_keeps_one_place_counted_from_their_last_post(
    stack: Stack,
) -> None:
    async with fresh_database(stack, "app_creators") as db:
        app = AppCreators(db, 2)
        assert await app.reserve("creator-a", "job-1", AT) is None
        assert await app.reserve("creator-b", "job-2", AT + timedelta(hours=1)) is None
        later = AT + timedelta(hours=20)
        assert await app.reserve("creator-a", "job-3", later) is None  # counted already
        assert await app.reserve("creator-c", "job-4", later) == AT + timedelta(hours=25)
        found = await app.window.find_one({"_id": "app"})
        assert found is not None
        assert [(c["id"], c["at"].replace(tzinfo=UTC)) for c in found["creators"]] == [
            ("creator-a", later),
            ("creator-b", AT + timedelta(hours=1)),
        ]
        # creator-a posted again: job-1 giving its place back leaves them counted
        await app.release("creator-a", "job-1")
        assert await app.holds("creator-a", later)
        # creator-b's only post was never sent: the place comes back, once
        await app.release("creator-b", "job-2")
        await app.release("creator-b", "job-2")
        assert await app.reserve("creator-c", "job-4", later) is None
        # a day after creator-a's last post, their place frees too
        assert await app.reserve("creator-d", "job-5", later + timedelta(hours=24)) is None


async def test_replicas_racing_for_the_last_places_take_no_more_than_the_cap(
    stack: Stack,
) -> None:
    async with fresh_database(stack, "app_creators_race") as db:
        app = AppCreators(db, 5)
        taken = await asyncio.gather(
            *(app.reserve(f"creator-{n}", f"job-{n}", AT) for n in range(12))
        )
        assert sum(1 for frees in taken if frees is None) == 5
        assert len(await app.counted(AT)) == 5


async def test_a_first_place_that_lost_the_insert_race_asks_again(stack: Stack) -> None:
    """On a real replica set two first places race: both upsert, one insert loses with a
    duplicate key; that one still gets its place (the race replayed: the other lands between)."""
    async with fresh_database(stack, "app_creators_first") as db:
        app = AppCreators(db, 5)
        real_update = app.window.update_one
        raced = False

        async def racing_update(*args: Any, **kwargs: Any) -> Any:
            nonlocal raced
            if kwargs.get("upsert") and not raced:
                raced = True
                await app.reserve("creator-other", "job-other", AT)
                raise DuplicateKeyError("E11000 duplicate key (the lost insert)")
            return await real_update(*args, **kwargs)

        app.window.update_one = racing_update  # type: ignore[method-assign]
        assert await app.reserve("creator-mine", "job-mine", AT) is None
        assert len(await app.counted(AT)) == 2
