"""Posts after PUBLISH_COMPLETE, in MongoDB: `live_watch` (posts whose public id is still awaited,
each due for its next status poll) and `live_posts` (one per post TikTok made public: its public
id as a string, link, when it went live or was taken down, and when its numbers are read next).
Every write is one conditional update by `_id`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from gatepost_common.mongo import Document


class LiveStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.watch = db["live_watch"]
        self.posts = db["live_posts"]

    async def ensure_indexes(self) -> None:
        await self.watch.create_index("due_at")
        # the collector's due posts; a person's posts, newest first
        await self.posts.create_index([("next_read_at", 1), ("account_id", 1)])
        await self.posts.create_index([("user_id", 1), ("went_live_at", -1)])
        await self.posts.create_index("public_id")

    async def follow(self, job_id: str, fields: Document, due: datetime) -> None:
        """Await this job's public id, polling from `due` (once: a second call changes nothing)."""
        await self.watch.update_one(
            {"_id": job_id},
            {"$setOnInsert": {**fields, "due_at": due, "polls": 0}},
            upsert=True,
        )

    async def claim_due(self, now: datetime, lease: timedelta, limit: int = 50) -> list[Document]:
        """Watches due now, each moved `lease` ahead by the one who claims it (a replica that
        lost the race to another skips it)."""
        claimed: list[Document] = []
        async for doc in self.watch.find({"due_at": {"$lte": now}}).sort("due_at", 1).limit(limit):
            taken = await self.watch.update_one(
                {"_id": doc["_id"], "due_at": doc["due_at"]}, {"$set": {"due_at": now + lease}}
            )
            if taken.modified_count == 1:
                claimed.append(doc)
        return claimed

    async def again(self, job_id: str, due: datetime, polls: int) -> None:
        await self.watch.update_one({"_id": job_id}, {"$set": {"due_at": due, "polls": polls}})

    async def unwatch(self, job_id: str) -> None:
        await self.watch.delete_one({"_id": job_id})

    async def watching(self, job_id: str) -> bool:
        return await self.watch.find_one({"_id": job_id}) is not None

    async def went_live(self, post_id: str, public_id: str, fields: Document) -> None:
        """The post's public id, kept as TikTok's exact digits; the first one stays."""
        await self.posts.update_one(
            {"_id": post_id},
            {"$setOnInsert": {**fields, "public_id": public_id, "taken_down_at": None}},
            upsert=True,
        )

    async def taken_down(self, public_id: str, at: datetime) -> bool:
        done = await self.posts.update_one(
            {"public_id": public_id, "taken_down_at": None},
            {"$set": {"taken_down_at": at, "next_read_at": None}},
        )
        return done.modified_count == 1

    async def due(self, now: datetime, limit: int = 5000) -> list[Document]:
        """Live posts whose next reading is due by `now`, the longest due first."""
        cursor = self.posts.find({"next_read_at": {"$lte": now}})
        return [post async for post in cursor.sort("next_read_at", 1).limit(limit)]

    async def still_due(self, post_ids: list[str], now: datetime) -> list[Document]:
        """Those of these posts (by `_id`) whose reading is still due by `now`: another replica
        may have read some since they were listed."""
        query = {"_id": {"$in": post_ids}, "next_read_at": {"$lte": now}}
        return [post async for post in self.posts.find(query).sort("next_read_at", 1)]

    async def of_posts(self, post_ids: list[str]) -> dict[str, Document]:
        cursor = self.posts.find({"_id": {"$in": post_ids}})
        return {doc["_id"]: doc async for doc in cursor}

    async def get(self, post_id: str) -> dict[str, Any] | None:
        return await self.posts.find_one({"_id": post_id})
