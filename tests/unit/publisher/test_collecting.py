"""The insights collector over its real MongoDB repositories and rate windows (in memory), against
a Display API as strict as TikTok's: 600 video/query calls a minute per app in a sliding minute
(429 beyond), at most 20 ids a call, scope checks. The 1,000 posts of 100 creators read by two
replicas run against the TikTok stand-in over HTTP: tests/standins/test_display_collector.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from gatepost_common.ratelimit import RateLimiter
from gatepost_common.tiktok import TikTokError
from gatepost_publisher.adapters import Grant
from gatepost_publisher.collecting import Collector
from gatepost_publisher.insight_store import InsightStore
from gatepost_publisher.livestore import LiveStore
from gatepost_publisher.reading_plan import (
    NOT_RETURNED,
    SCOPE_MISSING,
    STATS_SCOPE_MISSING,
    next_read,
)
from gatepost_publisher.settings import Settings
from tests.unit.memory import MemoryDatabase
from tests.unit.publisher.fakes import PUBLIC_KEY, START, FakeClock


@dataclass
class StrictDisplay:
    """video/query as TikTok keeps it: a sliding minute per app, ≤ 20 ids, the scope."""

    clock: FakeClock
    per_minute: int = 600
    without_scope: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)  # ids TikTok does not return
    calls: list[tuple[datetime, str]] = field(default_factory=list)
    refused_429 = 0
    stats_calls = 0
    without_stats: set[str] = field(default_factory=set)
    expired: set[str] = field(default_factory=set)

    async def video_query(self, access_token: str, ids: list[str]) -> list[dict[str, Any]]:
        now = self.clock.now()
        if len([at for at, _ in self.calls if at > now - timedelta(seconds=60)]) >= self.per_minute:
            self.refused_429 += 1
            raise TikTokError("rate_limit_exceeded", "", "", 429)
        self.calls.append((now, access_token))
        if access_token in self.expired:
            raise TikTokError("access_token_invalid", "", "", 401)
        assert 1 <= len(ids) <= 20
        if access_token in self.without_scope:
            raise TikTokError("scope_not_authorized", "", "", 401)
        return [
            {
                "id": i,
                "view_count": int(i[-4:]),
                "like_count": 3,
                "comment_count": 2,
                # signed and expiring on real TikTok
                "cover_image_url": f"https://p16-sign.tiktokcdn.example/{i}.jpeg?x-expires=1",
            }
            for i in ids
            if i not in self.missing
        ]

    async def user_stats(self, access_token: str) -> dict[str, Any]:
        self.stats_calls += 1
        if access_token in self.without_stats:
            raise TikTokError("scope_not_authorized", "", "", 401)
        return {"follower_count": 10, "likes_count": 20, "video_count": 3}

    def most_in_a_minute(self, token: str | None = None) -> int:
        times = [at for at, t in self.calls if token is None or t == token]
        return max(
            (sum(1 for b in times if a <= b < a + timedelta(seconds=60)) for a in times), default=0
        )


class Tokens:
    def __init__(self) -> None:
        self.rejected: list[str] = []

    async def grant(self, account: str, user: str, rejected: str | None = None) -> Grant:
        if rejected is not None:
            self.rejected.append(rejected)
        fresh = "-refreshed" if self.rejected else ""
        return Grant(f"token-{account}{fresh}", f"open-{account}")


def settings(**changes: Any) -> Settings:
    return Settings(
        session_public_key=PUBLIC_KEY,
        approval_public_key=PUBLIC_KEY,
        tiktok_client_key="k",
        tiktok_client_secret="s",
        insights_enabled=True,
        **changes,
    )


async def seed(live: LiveStore, counts: dict[str, int], went_live: datetime) -> None:
    n = 0
    for account, count in counts.items():
        for _ in range(count):
            n += 1
            public_id = str(7_000_000_000_000_000_000 + n)
            fields = {
                "account_id": account,
                "user_id": "user-1",
                "went_live_at": went_live,
                "next_read_at": next_read(went_live, 0),
                "reads": 0,
            }
            await live.went_live(f"post-{n}", public_id, fields)


async def test_no_scope_and_posts_tiktok_does_not_return_get_their_reasons() -> None:
    clock, db = FakeClock(), MemoryDatabase()
    live, store = LiveStore(cast(Any, db)), InsightStore(cast(Any, db))
    await seed(live, {"granted": 2, "refused": 1}, clock.now() - timedelta(hours=1))
    display = StrictDisplay(clock, without_scope={"token-refused"}, missing={str(7 * 10**18 + 2)})
    limiter = RateLimiter(cast(Any, db), clock)
    collector = Collector(settings(), live, store, Tokens(), display, limiter, clock)
    assert await collector.collect() == 1
    posts = {p["_id"]: p async for p in db["live_posts"].find({})}
    assert posts["post-1"]["latest"]["views"] == 1 and posts["post-1"]["no_numbers_reason"] is None
    assert posts["post-2"]["no_numbers_reason"] == NOT_RETURNED
    assert posts["post-3"]["no_numbers_reason"] == SCOPE_MISSING
    # each moved on to its next point (6 h after going live), none read again now
    assert all(p["next_read_at"] == START + timedelta(hours=5) for p in posts.values())
    assert await collector.collect() == 0 and len(display.calls) == 2


async def test_a_token_tiktok_rejects_is_refreshed_and_the_posts_read_on_the_next_pass() -> None:
    clock, db = FakeClock(), MemoryDatabase()
    live, store = LiveStore(cast(Any, db)), InsightStore(cast(Any, db))
    await seed(live, {"acct": 3}, clock.now() - timedelta(hours=1))
    display = StrictDisplay(clock, expired={"token-acct"})
    tokens = Tokens()
    limiter = RateLimiter(cast(Any, db), clock)
    collector = Collector(settings(), live, store, tokens, display, limiter, clock)
    assert await collector.collect() == 0 and tokens.rejected == ["token-acct"]
    clock.advance(5)
    assert await collector.collect() == 3


async def test_account_totals_are_read_when_granted_and_otherwise_say_why() -> None:
    clock, db = FakeClock(), MemoryDatabase()
    live, store = LiveStore(cast(Any, db)), InsightStore(cast(Any, db))
    await seed(live, {"granted": 1, "refused": 1}, clock.now() - timedelta(hours=1))
    display = StrictDisplay(clock, without_stats={"token-refused"})
    limiter = RateLimiter(cast(Any, db), clock)
    config = settings(insights_user_stats=True)
    await Collector(config, live, store, Tokens(), display, limiter, clock).collect()
    granted, refused = await store.account_stats("granted"), await store.account_stats("refused")
    assert granted is not None and refused is not None
    assert (granted["followers"], granted["likes_total"], granted["video_count"]) == (10, 20, 3)
    assert granted["reason"] is None and refused["reason"] == STATS_SCOPE_MISSING
    assert display.stats_calls == 2
