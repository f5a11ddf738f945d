"""The insights collector: a loop in each publisher replica. Each pass finds the live posts whose
next reading is due, takes each creator account's lease (so replicas never collect an account
twice at once) and reads its due posts with `video/query`, 20 ids a call, each call within the
collector's share of TikTok's 600 a minute and the creator's share of that (rate windows shared
by every replica). A post's reading is one point of its time series; a post TikTok does not
return, or an account that did not grant the scope, gets its plain reason."""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from gatepost_common.clock import Clock
from gatepost_common.cloud_event import envelope
from gatepost_common.events import PostMeasured
from gatepost_common.kafka import Emit
from gatepost_common.mongo import Document
from gatepost_common.passes import every
from gatepost_common.tiktok import TikTokError
from gatepost_publisher.calls import CallFailed
from gatepost_publisher.display import MAX_IDS, Display
from gatepost_publisher.insight_store import InsightStore
from gatepost_publisher.livestore import LiveStore
from gatepost_publisher.reading_plan import (
    NOT_RETURNED,
    SCOPE_MISSING,
    STATS_SCOPE_MISSING,
    next_read,
    reads_due,
)
from gatepost_publisher.settings import Settings

logger = logging.getLogger(__name__)
SCOPE_CODES = frozenset({"scope_not_authorized", "scope_permission_missed"})
STATS_EVERY = timedelta(hours=6)
AFTER_REFUSAL = timedelta(hours=6)  # an account auth could give no token for, looked at again


class Slots(Protocol):
    async def free_in(self, key: str, limit: int) -> timedelta: ...
    async def try_acquire(self, key: str, limit: int) -> timedelta: ...


class Grants(Protocol):
    async def grant(self, account: str, user: str, rejected: str | None = None) -> Any: ...


@dataclass
class Collector:
    settings: Settings
    live: LiveStore
    store: InsightStore
    grants: Grants
    display: Display
    slots: Slots
    clock: Clock
    owner: str = field(default_factory=lambda: f"collector-{uuid.uuid4().hex[:12]}")
    calls: int = 0  # video/query calls made, for the benchmark
    # each new reading as post.measured (best effort: the next reading supersedes a lost one)
    emit: Emit | None = None

    def app_key(self, account: str, endpoint: str) -> tuple[str, int]:
        """The collector's share of TikTok's per-endpoint limit, per app or per token."""
        s = self.settings
        limit = max(1, int(s.display_per_minute * s.insights_budget_share))
        scope = "app" if s.display_limit_per == "app" else account
        return f"display:{endpoint}:{scope}", limit

    async def run(self) -> None:
        await every(
            self.settings.insights_interval_s,
            self.collect,
            logger,
            "collecting insights failed; trying again",
        )

    async def collect(self) -> int:
        """One pass over the due posts; returns how many were read."""
        now = self.clock.now()
        due: dict[str, list[str]] = defaultdict(list)
        for post in await self.live.due(now):
            due[post["account_id"]].append(post["_id"])
        lease = timedelta(seconds=self.settings.insights_lease_s)
        read = 0
        for account, post_ids in due.items():
            if not await self.store.lease(account, self.owner, now, lease):
                continue
            try:
                # read again under the lease: another replica may have read them meanwhile
                posts = await self.live.still_due(post_ids, now)
                done = await self.collect_account(account, posts) if posts else 0
            finally:
                await self.store.release(account, self.owner)
            if done is None:
                break  # the app's share of this minute is used up: the next pass goes on
            read += done
        return read

    async def collect_account(self, account: str, posts: list[Document]) -> int | None:
        """Read the account's due posts, a batch at a time; None when the app's share ran out."""
        try:
            grant = await self.grants.grant(account, posts[0]["user_id"])
        except CallFailed as refused:
            logger.info("no token for insights", extra={"fields": {"reason": refused.reason}})
            await self.postpone(posts, self.clock.now() + AFTER_REFUSAL)
            return 0
        read = 0
        for first in range(0, len(posts), MAX_IDS):
            batch = posts[first : first + MAX_IDS]
            if (used_up := await self.slot(account, "video_query")) is not None:
                return None if used_up == "app" else read
            try:
                videos = await self.display.video_query(
                    grant.token, [p["public_id"] for p in batch]
                )
            except TikTokError as error:
                if error.code in SCOPE_CODES:
                    await self.advance(batch, {}, SCOPE_MISSING)
                    continue
                if error.code == "access_token_invalid":  # auth refreshes it for the next pass
                    with contextlib.suppress(CallFailed):
                        await self.grants.grant(account, posts[0]["user_id"], grant.token)
                    return read
                logger.warning("video/query failed", extra={"fields": {"code": error.code}})
                return read
            finally:
                self.calls += 1
            read += await self.advance(batch, {v["id"]: v for v in videos}, None)
        if self.settings.insights_user_stats:
            await self.account_totals(account, grant.token)
        return read

    async def slot(self, account: str, endpoint: str) -> str | None:
        """A call now within the creator's share and the app's share; else which one is used
        up. The creator's is only looked at first (its lease keeps other replicas off it), so
        an app slot is never taken for a creator who has none left."""
        creator = f"insights:{endpoint}:{account}"
        creator_limit = self.settings.insights_creator_per_minute
        if await self.slots.free_in(creator, creator_limit) > timedelta(0):
            return "creator"
        if await self.slots.try_acquire(*self.app_key(account, endpoint)) > timedelta(0):
            return "app"
        if await self.slots.try_acquire(creator, creator_limit) > timedelta(0):
            return "creator"  # not reached while the lease holds: counted, never exceeded
        return None

    async def advance(
        self, batch: list[Document], found: dict[str, dict[str, Any]], reason: str | None
    ) -> int:
        """Store a reading of each returned post and move each post to its next point."""
        now, read = self.clock.now(), 0
        for post in batch:
            point = reads_due(post["went_live_at"], now)
            video = found.get(post["public_id"])
            changes: Document = {"next_read_at": next_read(post["went_live_at"], point)}
            changes["reads"] = point
            if video is not None:
                numbers = {
                    "views": int(video.get("view_count") or 0),
                    "likes": int(video.get("like_count") or 0),
                    "comments": int(video.get("comment_count") or 0),
                    "shares": int(video.get("share_count") or 0),
                }
                reading = {
                    "_id": f"{post['_id']}:{point}",
                    "post_id": post["_id"],
                    "account_id": post["account_id"],
                    "public_id": post["public_id"],
                    "point": point,
                    "at": now,
                    "age_s": (now - post["went_live_at"]).total_seconds(),
                    **numbers,
                }
                if await self.store.add_reading(reading):
                    await self.measured(reading)
                changes |= {"latest": numbers, "read_at": now, "no_numbers_reason": None}
                if video.get("cover_image_url"):
                    changes["tiktok_cover_url"] = video["cover_image_url"]
                read += 1
            else:
                changes["no_numbers_reason"] = reason or NOT_RETURNED
            await self.live.posts.update_one(
                {"_id": post["_id"], "next_read_at": post["next_read_at"]}, {"$set": changes}
            )
        return read

    async def measured(self, reading: Document) -> None:
        if self.emit is None:
            return
        event = PostMeasured.model_validate({k: reading[k] for k in PostMeasured.model_fields})
        try:
            await self.emit(
                envelope(event, source="gatepost/publisher", subject=event.post_id), event.post_id
            )
        except Exception:
            logger.warning("post.measured not emitted (the next reading supersedes it)")

    async def postpone(self, posts: list[Document], until: datetime) -> None:
        for post in posts:
            await self.live.posts.update_one(
                {"_id": post["_id"], "next_read_at": post["next_read_at"]},
                {"$set": {"next_read_at": until}},
            )

    async def account_totals(self, account: str, token: str) -> None:
        """The account's followers, likes and posts from user/info, every few hours."""
        now = self.clock.now()
        stored = await self.store.account_stats(account) or {}
        if stored.get("read_at") and now - stored["read_at"] < STATS_EVERY:
            return
        if await self.slot(account, "user_info") is not None:
            return
        try:
            user = await self.display.user_stats(token)
        except TikTokError as error:
            if error.code in SCOPE_CODES:
                await self.store.set_stats(account, {"read_at": now, "reason": STATS_SCOPE_MISSING})
            return
        totals = {
            "followers": user.get("follower_count"),
            "likes_total": user.get("likes_count"),
            "video_count": user.get("video_count"),
        }
        await self.store.set_stats(account, {"read_at": now, "reason": None, **totals})
