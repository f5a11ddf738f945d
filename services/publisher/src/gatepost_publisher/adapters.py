"""Publish jobs in MongoDB, and the auth client that hands out fresh TikTok access tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from gatepost_common.mongo import Document

ACTIVE = ("queued", "processing")


class MongoJobRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.jobs = db["jobs"]

    async def ensure_indexes(self) -> None:
        await self.jobs.create_index([("status", 1), ("due_at", 1)])

    async def add(self, job: Document) -> bool:
        """Store a job once per post id; False when it was stored already."""
        try:
            await self.jobs.insert_one(
                {**job, "status": "queued", "lease_until": None, "created_at": datetime.now(UTC)}
            )
            return True
        except DuplicateKeyError:
            return False

    async def claim_due(self, lease: timedelta) -> Document | None:
        now = datetime.now(UTC)
        return await self.jobs.find_one_and_update(
            {
                "status": {"$in": list(ACTIVE)},
                "due_at": {"$lte": now},
                "$or": [{"lease_until": None}, {"lease_until": {"$lt": now}}],
            },
            {"$set": {"lease_until": now + lease}},
            sort=[("due_at", 1)],
            return_document=ReturnDocument.AFTER,
        )

    async def update(self, post_id: str, expected_status: str, fields: Document) -> bool:
        result = await self.jobs.update_one(
            {"_id": post_id, "status": expected_status}, {"$set": fields}
        )
        return result.modified_count == 1

    async def orphaned_attempts(self) -> list[Document]:
        """Jobs whose content/init was sent but whose publish_id was never recorded (a crash)."""
        return [d async for d in self.jobs.find({"status": "initiating", "publish_id": None})]

    async def get(self, post_id: str) -> Document | None:
        return await self.jobs.find_one({"_id": post_id})


class AuthClient:
    def __init__(self, http: httpx.AsyncClient, token: str) -> None:
        self.http = http
        self.token = token

    async def access_token(self, account_id: str, rejected: bool = False) -> str:
        response = await self.http.post(
            f"/internal/accounts/{account_id}/token",
            json={"current_token_rejected": rejected},
            headers={"X-Service-Token": self.token},
        )
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return str(body["access_token"])
