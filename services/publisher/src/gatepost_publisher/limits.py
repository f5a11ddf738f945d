"""Limits that hold across publisher replicas, enforced atomically in MongoDB.

- DailyCap: one counter per account and UTC day; a reservation is a conditional increment.
- RateLimiter: a sliding one-minute window per account and endpoint, kept as N slots (N = the
  limit). Taking a call means claiming a slot last used over a minute ago, in one atomic update,
  so no replica ever sees more than N calls inside any 60 seconds."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from gatepost_common.clock import Clock
from gatepost_common.mongo import Document

WINDOW = timedelta(seconds=60)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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


class RateLimiter:
    def __init__(self, db: AsyncDatabase[Document], clock: Clock) -> None:
        self.slots = db["rate_slots"]
        self.clock = clock

    async def ensure_indexes(self) -> None:
        await self.slots.create_index([("key", 1), ("used_at", 1)])

    async def _prepare(self, key: str, limit: int) -> None:
        documents = [{"_id": f"{key}#{i}", "key": key, "used_at": EPOCH} for i in range(limit)]
        with contextlib.suppress(BulkWriteError):  # they exist already (another replica)
            await self.slots.insert_many(documents, ordered=False)

    async def try_acquire(self, key: str, limit: int) -> timedelta:
        """Claim a call now (returns zero), or say how long until a slot frees up."""
        now = self.clock.now()
        claimed = await self.slots.find_one_and_update(
            {"key": key, "used_at": {"$lte": now - WINDOW}},
            {"$set": {"used_at": now}},
            return_document=ReturnDocument.AFTER,
        )
        if claimed is not None:
            return timedelta(0)
        oldest = await self.slots.find_one({"key": key}, sort=[("used_at", 1)])
        if oldest is None:
            await self._prepare(key, limit)
            return await self.try_acquire(key, limit)
        freed: timedelta = oldest["used_at"] + WINDOW - now
        return max(freed, timedelta(milliseconds=50))

    async def acquire(self, key: str, limit: int) -> None:
        """Wait until a call is allowed, then claim it."""
        while (wait := await self.try_acquire(key, limit)) > timedelta(0):  # noqa: ASYNC110
            await asyncio.sleep(wait.total_seconds())  # the wait is known: no event to await
