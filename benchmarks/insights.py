"""Benchmark (not a test): how well "when to post next" finds each creator's audience, and how
many video/query calls the insights collector spends against the fewest its reading plan allows.

Creators with known audience clocks (a best weekday and hour, `spread_h`) are made at the TikTok
stand-in (its app in this process, over HTTP's bytes); each posts once a day at a
random hour for a simulated month (posts seeded at the stand-in as they go out, the stand-in's
clock moved on an hour at a time). The publisher's collector (over an in-memory MongoDB and the
shared rate windows) reads them on its plan; then the suggestion is made from each creator's
readings and its best hour compared with the hidden one.

Printed: the share of creators whose suggested best hour is within ±1 h of the true one (target
≥ 80 % after 30 posts), the collector's calls against the minimum (one call per creator per hour
in which any of its posts is due, 20 ids a call) and against one call per reading, and 429s;
written to benchmarks/results/insights.json (other sizes: insights-custom.json).

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
from urllib.parse import parse_qs, urlencode, urlparse
from zoneinfo import ZoneInfo

import httpx

from benchmarks.report import save
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
from gatepost_standins.tiktok.app import create_app
from gatepost_standins.tiktok.config import TikTokStandinConfig
from tests.standins.conftest import REDIRECT, SECRET
from tests.standins.display_world import DAY, DISPLAY_SCOPES, FORM
from tests.unit.memory import MemoryDatabase

STEP_S = 3600
BASE = "http://tiktok.test"


class StandinClock(Clock):
    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def now(self) -> datetime:
        return self.at


class Standin:
    """The TikTok stand-in's app in this process, called over HTTP's bytes through its ASGI
    interface: no socket and no thread. (As its own process, on this shared two-core machine
    under load, every one of the ~19,000 round trips waited for the scheduler twice: the default
    run spent 10 % of its time working.) tests/standins/test_display_collector.py reads 1,000
    posts from the stand-in as its own process."""

    def __init__(self, seed: int) -> None:
        config = TikTokStandinConfig.model_validate(
            {
                "redirect_uris": [REDIRECT],
                "auto_consent": True,
                "moderation_delay_s": 0.0,
                # a month of the stand-in's clock: tokens outlive it (expiry is tested elsewhere)
                "access_token_ttl_s": 365 * DAY,
                "refresh_token_ttl_s": 400 * DAY,
                "display": {"seed": seed},
            }
        )
        self.transport = httpx.ASGITransport(app=create_app(config))
        self.http = httpx.AsyncClient(transport=self.transport, base_url=BASE, timeout=30)

    async def now(self) -> float:
        return await self.advance(0)

    async def advance(self, seconds: float) -> float:
        moved = await self.http.post("/_control/clock/advance", params={"seconds": seconds})
        at: float = moved.raise_for_status().json()["now"]
        return at

    async def creator(self, username: str, weekday: int, hour: int) -> tuple[str, str]:
        """A creator with this audience clock, and an access token of theirs (through TikTok's
        authorize page and token endpoint)."""
        made = await self.http.post(
            "/_control/creators", json={"username": username, "nickname": username}
        )
        open_id: str = made.raise_for_status().json()["open_id"]
        audience = {"best_weekday": weekday, "best_hour": hour, "spread_h": 2.5}
        await self.http.put(f"/_control/audience/{open_id}", json=audience)
        await self.http.post(f"/_control/consent-as/{open_id}")
        ask = {
            "client_key": "gatepost-local",
            "scope": DISPLAY_SCOPES,
            "redirect_uri": REDIRECT,
            "state": "st",
            "response_type": "code",
        }
        redirect = await self.http.get(f"/v2/auth/authorize/?{urlencode(ask)}")
        code = parse_qs(urlparse(redirect.headers["location"]).query)["code"][0]
        form = {
            "client_key": "gatepost-local",
            "client_secret": SECRET,
            "code": code,
            "grant_type": "authorization_code",
            "redirect_uri": REDIRECT,
        }
        answer = await self.http.post("/v2/oauth/token/", content=urlencode(form), headers=FORM)
        token: str = answer.raise_for_status().json()["access_token"]
        return open_id, token

    async def post(self, open_id: str, at: datetime, title: str) -> str:
        """A public post of the creator's, gone out at `at`; its id."""
        body = {
            "open_id": open_id,
            "create_time": int(at.timestamp()),
            "media_type": "VIDEO",
            "privacy_level": "PUBLIC_TO_EVERYONE",
            "title": title,
        }
        answer = await self.http.post("/_control/display/posts", json=body)
        video_id: str = answer.raise_for_status().json()["id"]
        return video_id


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


async def month(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    tiktok = Standin(args.seed)
    db = cast(Any, MemoryDatabase())
    live, store, clock = LiveStore(db), InsightStore(db), StandinClock()
    clock.at = datetime.fromtimestamp(await tiktok.now(), UTC)
    start = clock.at
    truth: dict[str, tuple[int, int]] = {}
    tokens: dict[str, str] = {}
    for i in range(args.creators):
        best = (rng.randrange(7), rng.randrange(24))
        open_id, tokens[open_id] = await tiktok.creator(f"bench{i}", *best)
        truth[open_id] = best
    statuses: Counter[int] = Counter()

    async def count(response: httpx.Response) -> None:
        statuses[response.status_code] += 1

    hooks = {"response": [count]}
    http = httpx.AsyncClient(transport=tiktok.transport, base_url=BASE, event_hooks=hooks)
    display = DisplayApi(http)
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
        clock.at = datetime.fromtimestamp(await tiktok.advance(STEP_S), UTC)
        while pending and pending[0][0] <= clock.at:
            at, creator = pending.pop(0)
            n += 1
            video = await tiktok.post(creator, at, f"p{n}")
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
    await http.aclose()
    await tiktok.http.aclose()
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
    print(f"  answers by HTTP status  {dict(statuses)}")
    print(f"  took                    {took:.1f} s")
    figures = {
        "creators": args.creators,
        "days": args.days,
        "seed": args.seed,
        "best_hour_within_1h": hits,
        "on_the_default": defaults,
        "video_query_calls": collector.calls,
        "minimum_calls": minimum,
        "one_call_per_reading": readings,
        "http_statuses": {str(k): v for k, v in statuses.items()},
        "took_s": round(took, 1),
    }
    save("insights" if args.creators == 100 and args.days == 30 else "insights-custom", figures)


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
    asyncio.run(month(args))


if __name__ == "__main__":
    main()
