"""Users and connected TikTok accounts in MongoDB; tokens are stored only sealed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from gatepost_common.mongo import Document


class MongoUserRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.users = db["users"]

    async def ensure_indexes(self) -> None:
        await self.users.create_index("email", unique=True)

    async def add(self, user_id: str, email: str, password_hash: str) -> None:
        await self.users.insert_one(
            {
                "_id": user_id,
                "email": email,
                "password_hash": password_hash,
                "created_at": datetime.now(UTC),
            }
        )

    async def by_email(self, email: str) -> Document | None:
        return await self.users.find_one({"email": email})


class MongoAccountRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.accounts = db["accounts"]

    async def ensure_indexes(self) -> None:
        await self.accounts.create_index([("user_id", 1), ("open_id", 1)], unique=True)

    async def upsert(self, user_id: str, open_id: str, account_id: str, fields: Document) -> str:
        """Store a connection; reconnecting the same TikTok account keeps its account id."""
        existing = await self.accounts.find_one({"user_id": user_id, "open_id": open_id})
        if existing is not None:
            account_id = existing["_id"]
        await self.accounts.update_one(
            {"_id": account_id},
            {
                "$set": {
                    **fields,
                    "user_id": user_id,
                    "open_id": open_id,
                    "updated_at": datetime.now(UTC),
                },
                "$setOnInsert": {"created_at": datetime.now(UTC)},
            },
            upsert=True,
        )
        return str(account_id)

    async def get(self, account_id: str) -> Document | None:
        return await self.accounts.find_one({"_id": account_id})

    async def for_user(self, user_id: str) -> list[Document]:
        return [a async for a in self.accounts.find({"user_id": user_id}).sort("created_at", 1)]

    async def set_tokens(self, account_id: str, fields: dict[str, Any]) -> None:
        await self.accounts.update_one({"_id": account_id}, {"$set": fields})
