"""Issue 29's "stats collected for 1,000 posts of 100 creators without one 429 at the stand-in and
without a creator's share of the budget exceeded", against the TikTok stand-in as its own process
over HTTP: two collector replicas (over one in-memory MongoDB: their leases and shared rate
windows) read every post's first numbers with `video/query`; the stand-in keeps TikTok's sliding
minute per app and records each request's time on its clock and whose token it carried."""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import httpx
import pytest

from gatepost_common.clock import Clock
from gatepost_common.ratelimit import RateLimiter
from gatepost_publisher.adapters import Grant
from gatepost_publisher.collecting import Collector
from gatepost_publisher.display import DisplayApi
from gatepost_publisher.insight_store import InsightStore
from gatepost_publisher.livestore import LiveStore
from gatepost_publisher.reading_plan import next_read
from gatepost_publisher.settings import Settings
from tests.standins.conftest import STANDIN, reset
from tests.standins.display_world import QUERY, advance, new_creator, now, seed_post, token_of
from tests.unit.memory import MemoryDatabase
from tests.unit.publisher.fakes import PUBLIC_KEY

PASS_S = 5  # the stand-in's clock moves on this much between the replicas' passes


class StandinClock(Clock):
    """The collectors' clock reads the stand-in's: real time plus the same offset (as the stack's
    services and its stand-in share one). A clock frozen during a pass would not do: the
    stand-in's runs on meanwhile, and a call 61 s later on one is 58 s later on the other."""

    def __init__(self, tiktok: httpx.Client) -> None:
        self.offset = now(tiktok) - time.time()

    def now(self) -> datetime:
        return datetime.fromtimestamp(time.time() + self.offset, UTC)

    def advance(self, tiktok: httpx.Client, seconds: float) -> None:
        advance(tiktok, seconds)
        self.offset += seconds


class Tokens:
    def __init__(self, tokens: dict[str, str]) -> None:
        self.tokens = tokens

    async def grant(self, account: str, user: str, rejected: str | None = None) -> Grant:
        assert rejected is None, "the stand-in refused a token it gave"
        return Grant(self.tokens[account], account)


def requests_of(tiktok: httpx.Client, path: str) -> list[dict[str, Any]]:
    """The stand-in's record of the requests to `path` it answered."""
    return [r for r in tiktok.get("/_control/requests").json() if r["path"] == path]


def most_in_a_minute(times: list[float]) -> int:
    """The most of these moments inside any 60 s, as TikTok's sliding window counts them."""
    ordered = sorted(times)
    return max((sum(1 for b in ordered if a <= b < a + 60) for a in ordered), default=0)


@pytest.mark.parametrize(("tiktok_limit", "share", "creator"), [(600, 0.5, 10), (40, 1.0, 2)])
async def test_1000_posts_of_100_creators_are_read_without_a_429_or_a_share_exceeded(
    tiktok: httpx.Client, tiktok_limit: int, share: float, creator: int
) -> None:
    reset(display={"rate_limit_per_minute": tiktok_limit, "rate_limit_per": "app"})
    clock = StandinClock(tiktok)
    went_live = clock.now() - timedelta(hours=1)
    # ten busy creators (55 posts: three calls each), ninety with five posts
    counts = {new_creator(tiktok, f"c{i}"): 55 if i < 10 else 5 for i in range(100)}
    tokens = {open_id: token_of(tiktok, open_id) for open_id in counts}
    db = cast(Any, MemoryDatabase())
    live, store = LiveStore(db), InsightStore(db)
    for open_id, count in counts.items():
        for n in range(count):
            public_id = seed_post(
                tiktok,
                open_id,
                went_live.timestamp(),
                privacy_level="PUBLIC_TO_EVERYONE",
                title=f"{open_id[:6]} {n}",
            )
            fields = {
                "account_id": open_id,
                "user_id": "user-1",
                "went_live_at": went_live,
                "next_read_at": next_read(went_live, 0),
                "reads": 0,
            }
            await live.went_live(f"{open_id}-{n}", public_id, fields)
    config = Settings(
        session_public_key=PUBLIC_KEY,
        approval_public_key=PUBLIC_KEY,
        tiktok_client_key="k",
        tiktok_client_secret="s",
        insights_enabled=True,
        display_per_minute=tiktok_limit,
        insights_budget_share=share,
        insights_creator_per_minute=creator,
    )
    limiter = RateLimiter(db, clock)
    async with httpx.AsyncClient(base_url=STANDIN, timeout=30) as http:
        replicas = [
            Collector(config, live, store, Tokens(tokens), DisplayApi(http), limiter, clock)
            for _ in range(2)
        ]
        read = 0
        while read < 1000:
            read += sum(await asyncio.gather(*(r.collect() for r in replicas)))
            clock.advance(tiktok, PASS_S)
            assert clock.now() - went_live < timedelta(minutes=90), f"{read} read"
    answered = requests_of(tiktok, QUERY)
    assert Counter(r["status"] for r in answered) == {200: len(answered)}  # not one 429
    assert most_in_a_minute([r["at"] for r in answered]) <= int(tiktok_limit * share)
    for open_id in counts:
        mine = [r["at"] for r in answered if r["open_id"] == open_id]
        assert most_in_a_minute(mine) <= creator
    minimum = sum(math.ceil(c / 20) for c in counts.values())
    assert len(answered) == minimum == sum(r.calls for r in replicas)
    readings = [r async for r in db["insight_readings"].find({})]
    assert len(readings) == 1000 and all(r["views"] >= 0 for r in readings)
    nothing_due = await db["live_posts"].count_documents({"next_read_at": {"$lte": clock.now()}})
    assert nothing_due == 0
