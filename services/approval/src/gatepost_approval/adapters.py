"""The post queue in MongoDB, with an outbox so no approval is lost while Kafka is down."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import httpx
from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from gatepost_approval import lifecycle
from gatepost_approval.domain import ApprovalRefused
from gatepost_approval.lifecycle import Post
from gatepost_common.mongo import Document, newest_of_user
from gatepost_common.quotas import QuotaRefusedElsewhere

CLAIM = timedelta(seconds=30)


class MongoPostRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.posts = db["posts"]

    async def ensure_indexes(self) -> None:
        await self.posts.create_index([("user_id", 1), ("created_at", -1)])
        await self.posts.create_index("outbox_pending")
        # expired media (media_expiry.py): which posts expired, and which posts name a file
        await self.posts.create_index([("status", 1), ("rejected_at", 1)])
        await self.posts.create_index([("status", 1), ("settled_at", 1)])
        await self.posts.create_index([("media_expired_at", 1), ("media_released_at", 1)])
        for named_by in ("slides.sha256", "slides.illustration_sha256", "video.sha256"):
            await self.posts.create_index(named_by)
        await self.posts.create_index("video.poster_url")

    async def add_generated(self, post: Document) -> bool:
        """Queue a generated post once; a redelivery leaves the stored one untouched."""
        result = await self.posts.update_one(
            {"_id": post["_id"]},
            {"$setOnInsert": {**post, **lifecycle.queued(datetime.now(UTC))}},
            upsert=True,
        )
        return result.upserted_id is not None

    async def languages(self, user_id: str) -> list[str]:
        """The languages the person's posts are in."""
        found = await self.posts.distinct("language", {"user_id": user_id})
        return sorted(str(language) for language in found if language)

    async def get(self, post_id: str, user_id: str) -> Post | None:
        return cast(Post | None, await self.posts.find_one({"_id": post_id, "user_id": user_id}))

    async def for_user(
        self,
        user_id: str,
        status: str | None,
        limit: int,
        skip: int,
        *,
        account_id: str | None = None,
        search: str | None = None,
        language: str | None = None,
    ) -> list[Post]:
        """A page of the person's posts, newest first: of one status, one account, one language,
        and whose title or caption holds `search` (any case), when given."""
        where: Document = {"account_id": account_id} if account_id else {}
        if language:
            where["language"] = language
        if search:
            words = {"$regex": re.escape(search), "$options": "i"}
            where["$or"] = [{"title": words}, {"caption": words}]
        found = await newest_of_user(self.posts, user_id, status, limit, skip, where=where)
        return cast(list[Post], found)

    async def approve(
        self,
        post_id: str,
        user_id: str,
        fields: Document,
        event: str,
        revision: int,
        attempt: int = 1,
    ) -> bool:
        """Approve once: only a post still awaiting approval, as the person saw it (its
        revision), changes, together with its outbox. Attempt n + 1 (publishing again) only
        approves a post whose attempt n failed."""
        move = lifecycle.approve(revision, attempt, fields)
        outbox = {"outbox_event": event, "outbox_pending": True, "outbox_claimed_until": None}
        return await self.apply(post_id, user_id, move, outbox)

    async def apply(
        self, post_id: str, user_id: str, move: lifecycle.Move, also: Document | None = None
    ) -> bool:
        """One move of the post's lifecycle, if its condition still holds."""
        update = {**move.update, "$set": {**move.update.get("$set", {}), **(also or {})}}
        result = await self.posts.update_one(
            {"_id": post_id, "user_id": user_id, **move.when}, update
        )
        return result.modified_count == 1

    async def revise(self, post_id: str, user_id: str, revision: int, changes: Document) -> bool:
        """Change a post awaiting approval only if nobody changed it since `revision` was read
        (two tabs editing two slides never lose one edit); the revision goes up by one."""
        return await self.apply(
            post_id, user_id, lifecycle.revise(revision, changes, datetime.now(UTC))
        )

    async def reject(self, post_id: str, user_id: str) -> bool:
        return await self.apply(post_id, user_id, lifecycle.reject(datetime.now(UTC)))

    async def claim_outbox(self, post_id: str | None = None) -> Document | None:
        now = datetime.now(UTC)
        query: dict[str, Any] = {
            "outbox_pending": True,
            "$or": [{"outbox_claimed_until": None}, {"outbox_claimed_until": {"$lt": now}}],
        }
        if post_id:
            query["_id"] = post_id
        return await self.posts.find_one_and_update(
            query,
            {"$set": {"outbox_claimed_until": now + CLAIM}},
            return_document=ReturnDocument.AFTER,
        )

    async def outbox_sent(self, post_id: str) -> None:
        await self.posts.update_one(
            {"_id": post_id},
            {"$set": {"outbox_pending": False, "outbox_sent_at": datetime.now(UTC)}},
        )

    async def outbox_release(self, post_id: str) -> None:
        await self.posts.update_one({"_id": post_id}, {"$set": {"outbox_claimed_until": None}})

    async def record_outcome(
        self, post_id: str, attempt: int, status: str, fields: Document, at: datetime
    ) -> None:
        """The outcome of the post's current attempt (a late outcome of an earlier one is not)."""
        move = lifecycle.outcome(attempt, status, fields, at)
        await self.posts.update_one({"_id": post_id, **move.when}, move.update)

    async def record_progress(self, post_id: str, attempt: int, progress: Document) -> None:
        """What the publisher says happens to the post's current attempt; an older word (its
        `at`) than the one stored only joins the history. A live post's link is kept."""
        move = lifecycle.progressed(attempt, progress)
        done = await self.posts.update_one({"_id": post_id, **move.when}, move.update)
        if done.matched_count == 0:  # an older word, arrived late: history only
            await self.posts.update_one(
                {"_id": post_id, "attempt": lifecycle.of_attempt(attempt)},
                lifecycle.remembered(attempt, progress),
            )


UNCHECKED = "TikTok account details could not be checked; try again"


class IllustrationClient:
    """The generator's internal route that draws one new illustration."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def draw(
        self, prompt: str, slide_format: str = "1080x1080", user_id: str | None = None
    ) -> dict[str, Any]:
        """One new illustration, stored by media as a picture of the slide format's shape;
        counted in `user_id`'s daily images (a refusal is the generator's, passed on)."""
        body = {"prompt": prompt, "format": slide_format, "user_id": user_id}
        try:
            response = await self.http.post("/internal/illustrations", json=body)
        except httpx.HTTPError:
            raise ApprovalRefused("the image model could not be reached; try again") from None
        if response.status_code == 429:
            raise QuotaRefusedElsewhere.of(response.json(), response.headers)
        if response.status_code != 201:
            detail = response.json().get("detail") if response.content else response.text
            raise ApprovalRefused(f"no new picture: {detail}")
        drawn: dict[str, Any] = response.json()
        return drawn


class CreatorInfoClient:
    """auth's creator info for an account, asked on behalf of the signed-in person (their session
    goes along, so auth checks the account is theirs)."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def creator_info(self, account_id: str, session: str) -> dict[str, Any]:
        try:
            response = await self.http.get(
                f"/accounts/{account_id}/creator-info",
                headers={"Authorization": f"Bearer {session}"},
            )
        except httpx.HTTPError:
            raise ApprovalRefused(
                "TikTok account details could not be checked; try again"
            ) from None
        if response.status_code == 404:
            raise ApprovalRefused("this post's TikTok account is not connected to you")
        if response.status_code == 409:
            raise ApprovalRefused(
                "reconnect this TikTok account first: TikTok ended its authorisation"
            )
        if response.status_code != 200:
            raise ApprovalRefused(UNCHECKED)
        info: dict[str, Any] = response.json()
        return info
