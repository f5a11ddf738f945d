"""The live-link follower's and the insights collector's queries, on the stack's MongoDB: each is
served by an index (as the worker loop's are, test_publisher_indexes), a creator's lease is held
by one replica at a time, and a reading taken twice is stored once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import AsyncMongoClient, monitoring

from gatepost_common.clock import Clock
from gatepost_common.ratelimit import RateLimiter
from gatepost_devstack.stack import Stack
from gatepost_publisher.adapters import Grant
from gatepost_publisher.collecting import Collector
from gatepost_publisher.insight_store import InsightStore
from gatepost_publisher.livestore import LiveStore
from gatepost_publisher.reading_plan import next_read
from gatepost_publisher.settings import Settings
from tests.integration.test_publisher_indexes import Queries, explained, servable
from tests.unit.publisher.fakes import PUBLIC_KEY

PUBLIC_ID = "7602997517160123666"


class AllQueries(Queries):
    """Deletes too, by each of their `q`s (the recorder reads a `q` at the command's top)."""

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "delete":
            for delete in event.command["deletes"]:
                self.seen.append((event.command["delete"], delete["q"], None))
            return
        super().started(event)


class Display:
    async def video_query(self, access_token: str, ids: list[str]) -> list[dict[str, Any]]:
        return [{"id": i, "view_count": 5, "like_count": 1} for i in ids]

    async def user_stats(self, access_token: str) -> dict[str, Any]:
        return {"follower_count": 1}


class Tokens:
    async def grant(self, account: str, user: str, rejected: str | None = None) -> Grant:
        return Grant("token", "creator")


async def test_the_followers_and_collectors_queries_have_indexes_and_leases_hold(
    stack: Stack,
) -> None:
    queries = AllQueries()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        stack.mongodb_url, tz_aware=True, event_listeners=[queries]
    )
    db = client[f"{stack.database_prefix}_insights_{uuid.uuid4().hex[:6]}"]
    try:
        live, store = LiveStore(db), InsightStore(db)
        await live.ensure_indexes()
        await store.ensure_indexes()
        now = datetime.now(UTC)
        went_live = now - timedelta(hours=1)
        queries.seen.clear()
        await live.follow("j1", {"since": now}, now)
        assert [w["_id"] for w in await live.claim_due(now, timedelta(seconds=60))] == ["j1"]
        assert await live.claim_due(now, timedelta(seconds=60)) == []  # claimed: not again
        await live.again("j1", now, 1)
        await live.unwatch("j1")
        fields = {
            "account_id": "a1",
            "user_id": "u1",
            "went_live_at": went_live,
            "next_read_at": next_read(went_live, 0),
        }
        await live.went_live("p1", PUBLIC_ID, fields)
        await live.went_live("p1", "7000000000000000001", fields)  # the first id stays
        assert (await live.get("p1") or {})["public_id"] == PUBLIC_ID
        # two replicas: the second cannot take the creator's lease while the first holds it
        assert await store.lease("a1", "r1", now, timedelta(seconds=60))
        assert not await store.lease("a1", "r2", now, timedelta(seconds=60))
        await store.release("a1", "r1")
        settings = Settings(
            session_public_key=PUBLIC_KEY,
            approval_public_key=PUBLIC_KEY,
            tiktok_client_key="k",
            tiktok_client_secret="s",
            insights_enabled=True,
            insights_user_stats=True,
        )
        limiter = RateLimiter(db, Clock())
        collector = Collector(settings, live, store, Tokens(), Display(), limiter, Clock())
        assert await collector.collect() == 1
        assert not await store.add_reading({"_id": "p1:1", "post_id": "p1"})  # taken already
        await live.of_posts(["p1"])
        await store.series(["p1"])
        await store.for_accounts(["a1"])
        await live.taken_down(PUBLIC_ID, now)

        unserved = []
        for collection, query, sort in queries.seen:
            indexes = await db[collection].index_information()
            if not servable(query, dict(indexes)):
                unserved.append((collection, query))
            plan = await explained(db, collection, query, sort)
            if plan is not None:
                assert "COLLSCAN" not in str(plan), (collection, query, plan)
        assert unserved == []
    finally:
        await client.drop_database(db.name)
        await client.close()
