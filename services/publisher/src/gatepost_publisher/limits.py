"""Limits that hold across publisher replicas, enforced atomically in MongoDB.

- DailyCap: one counter per account and UTC day; a reservation is a conditional increment.
TikTok's per-minute limits use the shared `gatepost_common.ratelimit.RateLimiter`."""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from gatepost_common.mongo import Document


class DailyCap:
    """One counter document per account and UTC day, listing the posts holding a reservation:
    a post reserves at most once and releases at most once (a webhook and a poll that both see
    FAILED give one place back), whoever asks and however often."""

    def __init__(self, db: AsyncDatabase[Document], cap: int) -> None:
        self.counters = db["daily_caps"]
        self.cap = cap

    async def reserve(self, account_id: str, day: str, post_id: str) -> bool:
        """Take one of today's posts for `post_id`; False when the account reached its cap."""
        key = f"{account_id}:{day}"
        for _ in range(3):
            try:
                result = await self.counters.update_one(
                    {"_id": key, "posts": {"$ne": post_id}, "count": {"$lt": self.cap}},
                    {
                        "$inc": {"count": 1},
                        "$push": {"posts": post_id},
                        "$setOnInsert": {"account_id": account_id, "day": day},
                    },
                    upsert=True,
                )
                return result.modified_count == 1 or result.upserted_id is not None
            except DuplicateKeyError:
                # The counter exists and the filter missed it: the post holds a place already,
                # the cap is reached, or (on a real replica set) another first reservation of the
                # day inserted it a moment ago, in which case asking again succeeds.
                counter = await self.counters.find_one({"_id": key})
                if counter is None:
                    continue
                if post_id in counter.get("posts", []):
                    return True
                if counter["count"] >= self.cap:
                    return False
        return False

    async def release(self, account_id: str, day: str, post_id: str) -> None:
        """Give the post's reservation back (nothing was posted), once."""
        await self.counters.update_one(
            {"_id": f"{account_id}:{day}", "posts": post_id},
            {"$inc": {"count": -1}, "$pull": {"posts": post_id}},
        )
