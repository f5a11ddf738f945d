"""A sliding one-minute window shared by every replica, kept in MongoDB as N slots (N = the
limit). Taking a call means claiming a slot last used over a minute ago, in one atomic update, so
no replica ever sees more than N calls inside any 60 seconds. The publisher keeps TikTok's
per-token limits with it; the generator keeps the AI provider's per-minute budgets."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from gatepost_common.clock import Clock
from gatepost_common.mongo import Document

# A slot is claimed before the request leaves, and the provider counts it when it arrives (a
# little later, on its own clock): a slot is free again only a second after its minute ended.
WINDOW = timedelta(seconds=61)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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
        wait = await self._oldest_frees_in(key, now)
        if wait is None:
            await self._prepare(key, limit)
            return await self.try_acquire(key, limit)
        return wait

    async def _oldest_frees_in(self, key: str, now: datetime) -> timedelta | None:
        """How long until the key's least recently used slot frees (None: it has no slots)."""
        oldest = await self.slots.find_one({"key": key}, sort=[("used_at", 1)])
        if oldest is None:
            return None
        freed: timedelta = oldest["used_at"] + WINDOW - now
        return max(freed, timedelta(milliseconds=50))

    async def free_in(self, key: str, limit: int) -> timedelta:
        """How long until a call would be allowed (zero: now), claiming nothing."""
        now = self.clock.now()
        if await self.slots.find_one({"key": key, "used_at": {"$lte": now - WINDOW}}) is not None:
            return timedelta(0)
        # never used: its slots are made on the first claim
        return await self._oldest_frees_in(key, now) or timedelta(0)

    async def acquire(self, key: str, limit: int) -> None:
        """Wait until a call is allowed, then claim it."""
        while (wait := await self.try_acquire(key, limit)) > timedelta(0):  # noqa: ASYNC110
            await asyncio.sleep(wait.total_seconds())  # the wait is known: no event to await
