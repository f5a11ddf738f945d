"""Benchmark (not a test): how well "when to post next" finds each creator's audience, and how
many video/query calls the insights collector spends against the fewest its reading plan allows.

Creators with known audience clocks (a best weekday and hour, `spread_h`) are made at the TikTok
stand-in (in process); each posts once a day at a random hour for a simulated month (posts seeded
at the stand-in as they go out, the stand-in's clock moved on an hour at a time). The publisher's
collector (over an in-memory MongoDB and the shared rate windows) reads them on its plan; then the
suggestion is made from each creator's readings and its best hour compared with the hidden one.

Printed: the share of creators whose suggested best hour is within ±1 h of the true one (target
≥ 80 % after 30 posts), the collector's calls against the minimum (one call per creator per hour
in which any of its posts is due, 20 ids a call) and against one call per reading, and 429s.

    uv run python -m benchmarks.insights [--creators 100] [--days 30] [--seed 29]
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import math
import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import httpx
from fastapi.testclient import TestClient

from gatepost_common.clock import Clock
from gatepost_common.ratelimit import RateLimiter
from gatepost_publisher.adapters import Grant
from gatepost_publisher.collecting import Collector
from gatepost_publisher.display import DisplayApi
from gatepost_publisher.insight_store import InsightStore
from gatepost_publisher.livestore import LiveStore
from gatepost_publisher.reading_plan import READ_AT, next_read
from gatepost_publisher.settings import Settings
from gatepost_publisher.suggesting import PostNumbers, Suggestion, distance, suggest
from tests.standins.display_world import (
    advance,
    display_settings,
    new_creator,
    now,
    seed_post,
    standin,
    token_of,
)
from tests.unit.memory import MemoryDatabase

STEP_S = 3600


class StandinClock(Clock):
    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def now(self) -> datetime:
        return self.at


class ViaTestClient(httpx.AsyncBaseTransport):
    """The collector's HTTP calls, answered by the in-process stand-in; 429s counted."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.status: Counter[int] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        answer = await asyncio.to_thread(
            self.client.request,
            request.method,
            str(request.url),
            content=request.content,
            headers=dict(request.headers),
        )
        self.status[answer.status_code] += 1
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)


@dataclass
class Tokens:
    tokens: dict[str, str]

    async def grant(self, account: str, user: str, rejected: str | None = None) -> Grant:
        return Grant(self.tokens[account], account)


def settings() -> Settings:
    return Settings(
        session_public_key="unused",
        approval_public_key="unused",
        tiktok_client_key="k",
        tiktok_client_secret="s",
        insights_enabled=True,
    )


def minimum_calls(went_out: dict[str, list[datetime]], passes: list[datetime]) -> int:
    """The fewest calls any collector passing at these times could make: a reading can be taken
    at the first pass after it falls due, with every other reading of the creator due by then,
    20 ids a call."""
    total = 0
    for times in went_out.values():
        due: Counter[int] = Counter()
        for at in times:
            for after in READ_AT:
                first = bisect.bisect_left(passes, at + after)
                if first < len(passes):
                    due[first] += 1
        total += sum(math.ceil(n / 20) for n in due.values())
    return total


async def month(args: argparse.Namespace, tiktok: TestClient) -> None:
    rng = random.Random(args.seed)
    display_settings(tiktok, seed=args.seed)
    db = cast(Any, MemoryDatabase())
    live, store, clock = LiveStore(db), InsightStore(db), StandinClock()
    clock.at = datetime.fromtimestamp(now(tiktok), UTC)
    start = clock.at
    truth: dict[str, tuple[int, int]] = {}
    tokens: dict[str, str] = {}
    for i in range(args.creators):
        open_id = new_creator(tiktok, f"bench{i}")
        tokens[open_id] = token_of(tiktok, open_id)
        truth[open_id] = (rng.randrange(7), rng.randrange(24))
        clock_body = {"best_weekday": truth[open_id][0], "best_hour": truth[open_id][1]}
        tiktok.put(f"/_control/audience/{open_id}", json=clock_body | {"spread_h": 2.5})
    transport = ViaTestClient(tiktok)
    display = DisplayApi(httpx.AsyncClient(base_url="http://testserver", transport=transport))
    limiter = RateLimiter(db, clock)
    collector = Collector(settings(), live, store, Tokens(tokens), display, limiter, clock)
    # each creator's posts: one a day at a random minute of the day
    went_out = {
        c: [start + timedelta(days=d, seconds=rng.randrange(86400)) for d in range(args.days)]
        for c in truth
    }
    pending = sorted((at, c) for c, times in went_out.items() for at in times)
    end = start + timedelta(days=args.days)
    n, started, passes = 0, time.monotonic(), []
    while clock.at < end:
        advance(tiktok, STEP_S)
        clock.at = datetime.fromtimestamp(now(tiktok), UTC)
        while pending and pending[0][0] <= clock.at:
            at, creator = pending.pop(0)
            n += 1
            video = seed_post(
                tiktok, creator, at.timestamp(), privacy_level="PUBLIC_TO_EVERYONE", title=f"p{n}"
            )
            fields = {
                "account_id": creator,
                "user_id": "bench",
                "went_live_at": at,
                "next_read_at": next_read(at, 0),
                "reads": 0,
            }
            await live.went_live(f"post-{n}", video, fields)
        passes.append(clock.at)
        await collector.collect()
    took = time.monotonic() - started
    found = await suggestions(live, store, list(truth), clock.at)
    hits = sum(distance(best_hour(found[c]), hour, 24) <= 1 for c, (_, hour) in truth.items())
    defaults = sum(found[c].basis == "default" for c in truth)
    readings = await db["insight_readings"].count_documents({})
    minimum = minimum_calls(went_out, passes)
    print(f"insights benchmark: {args.creators} creators, {args.days} posts each, seed {args.seed}")
    print(f"  best hour within ±1 h   {hits}/{args.creators} ({100 * hits / args.creators:.0f} %)")
    print(f"  on the default          {defaults} (fewer than 8 posts with numbers)")
    print(
        f"  video/query calls       {collector.calls} against a minimum of {minimum} "
        f"({collector.calls / max(minimum, 1):.2f}x); one call per reading: {readings}"
    )
    print(f"  answers by HTTP status  {dict(transport.status)}")
    print(f"  took                    {took:.1f} s")


def best_hour(found: Suggestion) -> int:
    return max(found.slots, key=lambda s: s.confidence).hour


async def suggestions(
    live: LiveStore, store: InsightStore, creators: list[str], at: datetime
) -> dict[str, Suggestion]:
    """Each creator's suggestion from its readings, as the account route makes it (in UTC, the
    audience clock's zone)."""
    went_live = {p["_id"]: p async for p in live.posts.find({})}
    by_post: dict[str, list[tuple[int, int]]] = {}
    for r in await store.for_accounts(creators):
        by_post.setdefault(r["post_id"], []).append((int(r["point"]), int(r["views"])))
    numbers: dict[str, list[PostNumbers]] = {c: [] for c in creators}
    for post_id, readings in by_post.items():
        post = went_live[post_id]
        numbers[post["account_id"]].append(PostNumbers(post["went_live_at"], tuple(readings)))
    return {c: suggest(numbers[c], at, ZoneInfo("UTC")) for c in creators}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--creators", type=int, default=100)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=29)
    args = parser.parse_args()
    with standin(display={"seed": args.seed}) as tiktok:
        asyncio.run(month(args, tiktok))


if __name__ == "__main__":
    main()
