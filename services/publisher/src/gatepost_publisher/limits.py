"""Limits that hold across publisher replicas, enforced atomically in MongoDB.

- DailyCap: one counter per account and UTC day; a reservation is a conditional increment.
TikTok's per-minute limits use the shared `gatepost_common.ratelimit.RateLimiter`."""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from gatepost_common.mongo import Document


class DailyCap:
    def __init__(self, db: AsyncDatabase[Document], cap: int) -> None:
        self.counters = db["daily_caps"]
        self.cap = cap

    async def reserve(self, account_id: str, day: str) -> bool:
        """Take one of today's posts; False when the account reached its cap."""
        try:
            await self.counters.update_one(
                {"_id": f"{account_id}:{day}", "count": {"$lt": self.cap}},
                {"$inc": {"count": 1}, "$setOnInsert": {"account_id": account_id, "day": day}},
                upsert=True,
            )
            return True
        except DuplicateKeyError:  # the counter exists and is at the cap
            return False

    async def release(self, account_id: str, day: str) -> None:
        """Give a reservation back (nothing was posted)."""
        await self.counters.update_one(
            {"_id": f"{account_id}:{day}", "count": {"$gt": 0}}, {"$inc": {"count": -1}}
        )
