"""Insights in MongoDB: `insight_readings` (the time series: one reading of one post at one
point of its plan, its `_id` "<post>:<point>" so a reading taken twice is stored once),
`insight_leases` (one per creator account: the replica that collects it now) and
`account_stats` (an account's latest totals from user/info)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from gatepost_common.mongo import Document

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class InsightStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.readings = db["insight_readings"]
        self.leases = db["insight_leases"]
        self.stats = db["account_stats"]

    async def ensure_indexes(self) -> None:
        await self.readings.create_index([("post_id", 1), ("at", 1)])
        await self.readings.create_index([("account_id", 1), ("at", 1)])

    async def lease(self, account_id: str, owner: str, now: datetime, lease: timedelta) -> bool:
        """Take (or keep) the account's collection for `lease`; False while another holds it."""
        free = {"_id": account_id, "$or": [{"until": {"$lt": now}}, {"owner": owner}]}
        try:
            await self.leases.update_one(
                free, {"$set": {"owner": owner, "until": now + lease}}, upsert=True
            )
        except DuplicateKeyError:  # it exists, held by another replica
            return False
        return True

    async def release(self, account_id: str, owner: str) -> None:
        await self.leases.update_one(
            {"_id": account_id, "owner": owner}, {"$set": {"until": EPOCH}}
        )

    async def add_reading(self, reading: Document) -> bool:
        try:
            await self.readings.insert_one(reading)
        except DuplicateKeyError:
            return False
        return True

    async def series(self, post_ids: list[str]) -> dict[str, list[Document]]:
        found: dict[str, list[Document]] = {p: [] for p in post_ids}
        async for doc in self.readings.find({"post_id": {"$in": post_ids}}).sort("at", 1):
            found[doc["post_id"]].append(doc)
        return found

    async def for_accounts(self, account_ids: list[str]) -> list[Document]:
        cursor = self.readings.find({"account_id": {"$in": account_ids}}).sort("at", 1)
        return [doc async for doc in cursor]

    async def set_stats(self, account_id: str, fields: dict[str, Any]) -> None:
        await self.stats.update_one({"_id": account_id}, {"$set": fields}, upsert=True)

    async def account_stats(self, account_id: str) -> Document | None:
        return await self.stats.find_one({"_id": account_id})
