"""What a person sees of their published posts: each post's live link and numbers over time (or
why there are none), an account's totals, best-time heatmap and next slots, and the readings as
CSV. Reads only: the collector and the live-link follower write."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from gatepost_common.clock import Clock
from gatepost_common.mongo import Document
from gatepost_publisher.insight_schemas import (
    AccountInsight,
    HeatCell,
    PostInsight,
    Reading,
    SuggestedSlot,
)
from gatepost_publisher.insight_store import InsightStore
from gatepost_publisher.lifecycle import Job, JobStatus
from gatepost_publisher.livestore import LiveStore
from gatepost_publisher.reading_plan import DISABLED, post_reason
from gatepost_publisher.reporting import live_link
from gatepost_publisher.settings import Settings
from gatepost_publisher.suggesting import PostNumbers, suggest

COUNTS = ("views", "likes", "comments", "shares")
CSV_HEADER = ("post_id", "account_id", "public_id", "link", "at", *COUNTS)


class UsersJobs(Protocol):
    async def for_user(self, user_id: str, limit: int = 100) -> list[Job]: ...
    async def owns_account(self, user_id: str, account_id: str) -> bool: ...


def published(job: Job) -> bool:
    return job["status"] == JobStatus.DONE and job.get("result") == "PUBLISH_COMPLETE"


def newest(post: PostInsight) -> float:
    return post.published_at.timestamp() if post.published_at else 0.0


@dataclass
class Insights:
    settings: Settings
    jobs: UsersJobs
    live: LiveStore
    store: InsightStore
    clock: Clock

    async def posts(self, user_id: str, account_id: str | None = None) -> list[PostInsight]:
        """The person's published posts (the latest attempt of each), newest first."""
        latest: dict[str, Job] = {}
        for job in await self.jobs.for_user(user_id, limit=1000):
            if published(job) and (account_id is None or job["account_id"] == account_id):
                kept = latest.get(job["post_id"])
                if kept is None or kept["attempt"] < job["attempt"]:
                    latest[job["post_id"]] = job
        ids = list(latest)
        lives, series = await self.live.of_posts(ids), await self.store.series(ids)
        found = [self.insight(latest[i], lives.get(i), series[i]) for i in ids]
        return sorted(
            found, key=lambda p: p.published_at.timestamp() if p.published_at else 0, reverse=True
        )

    async def post(self, user_id: str, post_id: str) -> PostInsight | None:
        return next((p for p in await self.posts(user_id) if p.post_id == post_id), None)

    def insight(self, job: Job, live: Document | None, readings: list[Document]) -> PostInsight:
        approved = job["approved"]
        public_id = (live or {}).get("public_id") or next(iter(job.get("post_ids") or []), None)
        latest = readings[-1] if readings else None
        # the approved cover as media hosts it first: a stable URL of Gatepost's own, where
        # TikTok's cover_image_url expires (and the stand-in's never loads)
        cover = own_cover(approved) or (live or {}).get("tiktok_cover_url")
        reason = post_reason(
            enabled=self.settings.insights_enabled,
            audited=self.settings.tiktok_app_audited,
            privacy_level=approved["options"].get("privacy_level"),
            public_id=public_id,
            published=True,
            stored_reason=(live or {}).get("no_numbers_reason"),
            has_reading=latest is not None,
        )
        numbers: dict[str, Any] = {k: latest[k] if latest else None for k in COUNTS}
        return PostInsight(
            **numbers,
            post_id=job["post_id"],
            account_id=job["account_id"],
            title=approved.get("title"),
            cover_url=cover,
            link=live_link(job, public_id) if public_id else None,
            public_id=public_id,
            published_at=job.get("finished_at"),
            taken_down_at=(live or {}).get("taken_down_at"),
            read_at=latest["at"] if latest else None,
            series=[Reading.model_validate(r) for r in readings],
            no_numbers_reason=None if latest is not None else reason,
        )

    async def account(self, user_id: str, account_id: str, tz: ZoneInfo) -> AccountInsight:
        posts = await self.posts(user_id, account_id)
        readings = await self.store.for_accounts([account_id])
        by_post: dict[str, list[tuple[int, int]]] = {}
        for r in readings:
            by_post.setdefault(r["post_id"], []).append((int(r["point"]), int(r["views"])))
        numbers = [
            PostNumbers(p.published_at, tuple(by_post[p.post_id]))
            for p in posts
            if p.post_id in by_post and p.published_at is not None
        ]
        found = suggest(numbers, self.clock.now(), tz)
        stats = await self.store.account_stats(account_id) or {}
        reason = stats.get("reason")
        if not self.settings.insights_enabled:
            reason = DISABLED
        return AccountInsight(
            account_id=account_id,
            followers=stats.get("followers"),
            likes_total=stats.get("likes_total"),
            video_count=stats.get("video_count"),
            views_total=sum(p.views or 0 for p in posts),
            posts_with_numbers=len(numbers),
            heatmap=[HeatCell(**vars(c)) for c in found.heatmap],
            suggestions=[SuggestedSlot(**vars(s)) for s in found.slots],
            suggestion_basis="own_posts" if found.basis == "own_posts" else "default",
            suggestion_note=found.note,
            no_numbers_reason=reason,
        )

    async def csv(self, user_id: str, account_id: str | None = None) -> str:
        """One row per reading, the public id as its digits."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        for post in await self.posts(user_id, account_id):
            for r in post.series:
                writer.writerow(
                    [post.post_id, post.account_id, post.public_id, post.link, r.at.isoformat()]
                    + [getattr(r, k) for k in COUNTS]
                )
        return out.getvalue()


def own_cover(approved: dict[str, Any]) -> str | None:
    """The approved post's cover as media hosts it: the cover photo, or a video's poster frame."""
    photos = approved.get("photo_urls") or []
    if photos:
        return str(photos[int(approved.get("cover_index") or 0)])
    poster = (approved.get("video") or {}).get("poster_url")
    return str(poster) if poster else None
