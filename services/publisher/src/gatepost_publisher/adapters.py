"""Publish jobs in MongoDB, and the auth client that hands out fresh TikTok access tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from gatepost_common.mongo import Document
from gatepost_publisher.domain import Handling

ACTIVE = ("queued", "processing")


class MongoJobRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.jobs = db["jobs"]

    async def ensure_indexes(self) -> None:
        await self.jobs.create_index([("status", 1), ("due_at", 1)])
        await self.jobs.create_index("publish_id")
        await self.jobs.create_index([("approved.user_id", 1), ("created_at", -1)])
        # the worker loop's other queries: orphaned attempts, pending outcomes, visibility checks
        await self.jobs.create_index([("status", 1), ("lease_until", 1)])
        await self.jobs.create_index("outcome_pending")
        await self.jobs.create_index("visibility_due")
        await self.jobs.create_index([("account_id", 1), ("approved.user_id", 1)])

    async def add(self, job: Document) -> bool:
        """Store a job once per post id; False when it was stored already."""
        try:
            await self.jobs.insert_one(
                {
                    **job,
                    "status": "queued",
                    "lease_until": None,
                    "post_ids": [],
                    "created_at": datetime.now(UTC),
                }
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

    async def orphaned_attempts(self, now: datetime) -> list[Document]:
        """Jobs whose content/init was sent but whose publish_id was never recorded, by a
        replica whose lease has run out (it crashed)."""
        query = {"status": "initiating", "publish_id": None, "lease_until": {"$lt": now}}
        return [d async for d in self.jobs.find(query)]

    async def get(self, post_id: str) -> Document | None:
        return await self.jobs.find_one({"_id": post_id})

    async def add_post_ids(self, post_id: str, post_ids: list[str]) -> None:
        await self.jobs.update_one(
            {"_id": post_id}, {"$addToSet": {"post_ids": {"$each": post_ids}}}
        )

    async def watch_visibility(self, post_id: str, due: datetime) -> None:
        await self.jobs.update_one({"_id": post_id}, {"$set": {"visibility_due": due}})

    async def visibility_due(self, now: datetime) -> list[Document]:
        query = {"visibility_due": {"$lte": now}}
        return [j async for j in self.jobs.find(query).limit(100)]

    async def stop_watching(self, post_id: str) -> None:
        await self.jobs.update_one({"_id": post_id}, {"$set": {"visibility_due": None}})

    async def flag(self, post_id: str, flag: str) -> None:
        await self.jobs.update_one(
            {"_id": post_id}, {"$set": {"flag": flag, "visibility_due": None}}
        )

    async def pending_outcomes(self) -> list[Document]:
        return [j async for j in self.jobs.find({"outcome_pending": True}).limit(100)]

    async def outcome_sent(self, post_id: str) -> None:
        await self.jobs.update_one({"_id": post_id}, {"$set": {"outcome_pending": False}})

    async def by_publish_id(self, publish_id: str) -> Document | None:
        return await self.jobs.find_one({"publish_id": publish_id})

    async def for_user(self, user_id: str, limit: int = 100) -> list[Document]:
        cursor = self.jobs.find({"approved.user_id": user_id}).sort("created_at", -1).limit(limit)
        return [job async for job in cursor]

    async def owns_account(self, user_id: str, account_id: str) -> bool:
        found = await self.jobs.find_one({"account_id": account_id, "approved.user_id": user_id})
        return found is not None


class AuthRefused(Exception):
    """auth would not give a token: the account needs reconnecting, is gone, or auth is busy."""

    def __init__(self, handling: Handling, code: str, reason: str) -> None:
        super().__init__(reason)
        self.handling, self.code, self.reason = handling, code, reason


class AuthClient:
    def __init__(self, http: httpx.AsyncClient, token: str) -> None:
        self.http = http
        self.token = token

    async def access_token(self, account_id: str, user_id: str, rejected: bool = False) -> str:
        """A fresh token for the account, which must belong to `user_id`."""
        try:
            response = await self.http.post(
                f"/internal/accounts/{account_id}/token",
                json={"current_token_rejected": rejected, "user_id": user_id},
                headers={"X-Service-Token": self.token},
            )
        except httpx.HTTPError:
            raise AuthRefused(
                Handling.RETRY, "auth_unreachable", "auth could not be reached"
            ) from None
        if response.status_code == 409:  # the post waits for the person to reconnect
            raise AuthRefused(
                Handling.DEFER,
                "needs_reauth",
                "waiting for the account to be reconnected: TikTok ended its authorisation",
            )
        if response.status_code == 404:
            raise AuthRefused(
                Handling.FAIL, "account_unknown", "the TikTok account is not connected (any more)"
            )
        if response.status_code != 200:
            raise AuthRefused(Handling.RETRY, "auth_unavailable", "auth could not refresh now")
        return str(response.json()["access_token"])

    async def authorization_removed(self, open_id: str, reason: int) -> None:
        response = await self.http.post(
            "/internal/authorization-removed",
            json={"open_id": open_id, "reason": reason},
            headers={"X-Service-Token": self.token},
        )
        response.raise_for_status()
