"""Connected TikTok accounts in MongoDB. Tokens are stored only sealed; a refresh lease on the
account keeps several auth replicas from refreshing twice. People and sign-ins: users.py."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from gatepost_auth.domain import Account, AccountStatus, still_listed
from gatepost_common.mongo import Document

TOKEN_FIELDS = ("access_token", "refresh_token")


def no_live_lease(now: datetime) -> dict[str, Any]:
    """The condition of an account no refresh holds at `now` (a lease that ran out is none)."""
    return {
        "$or": [
            {"lease_until": None},
            {"lease_until": {"$lte": now}},
            {"lease_until": {"$exists": False}},
        ]
    }


class MongoAccountRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.accounts = db["accounts"]

    async def ensure_indexes(self) -> None:
        await self.accounts.create_index([("user_id", 1), ("open_id", 1)], unique=True)
        await self.accounts.create_index([("status", 1), ("access_expires_at", 1)])
        await self.accounts.create_index("open_id")

    async def upsert(
        self, user_id: str, open_id: str, account_id: str, fields: Document, now: datetime
    ) -> str:
        """Store a connection; reconnecting the same TikTok account keeps its account id."""
        existing = await self.accounts.find_one({"user_id": user_id, "open_id": open_id})
        if existing is not None:
            account_id = existing["_id"]
        await self.accounts.update_one(
            {"_id": account_id},
            {
                "$set": {**fields, "user_id": user_id, "open_id": open_id, "updated_at": now},
                "$setOnInsert": {"created_at": now},
            },
            upsert=True,
        )
        return str(account_id)

    async def get(self, account_id: str) -> Account | None:
        return cast(Account | None, await self.accounts.find_one({"_id": account_id}))

    async def owned(self, account_id: str, user_id: str) -> Account | None:
        found = await self.accounts.find_one({"_id": account_id, "user_id": user_id})
        return cast(Account | None, found)

    async def for_user(self, user_id: str) -> list[Account]:
        cursor = self.accounts.find({"user_id": user_id, **still_listed()})
        return [cast(Account, a) async for a in cursor.sort("created_at", 1)]

    async def with_open_id(self, open_id: str) -> list[Account]:
        return [cast(Account, a) async for a in self.accounts.find({"open_id": open_id})]

    async def set_fields(self, account_id: str, fields: dict[str, Any]) -> None:
        await self.accounts.update_one({"_id": account_id}, {"$set": fields})

    async def take_lease(
        self,
        account_id: str,
        owner: str,
        now: datetime,
        lease: timedelta,
        expiring_before: datetime | None = None,
    ) -> Account | None:
        """The account, leased to `owner` for a refresh; None when another holder has it or,
        with `expiring_before`, when its access token no longer expires by then (another
        replica refreshed it since the caller looked)."""
        condition: dict[str, Any] = {
            "_id": account_id,
            "status": AccountStatus.CONNECTED.value,
            **no_live_lease(now),
        }
        if expiring_before is not None:
            condition["access_expires_at"] = {"$lte": expiring_before}
        leased = await self.accounts.find_one_and_update(
            condition,
            {"$set": {"lease_until": now + lease, "lease_owner": owner}},
            return_document=ReturnDocument.AFTER,
        )
        return cast(Account | None, leased)

    async def finish_lease(self, account_id: str, owner: str, fields: dict[str, Any]) -> bool:
        """Store the outcome and release the lease in one write, only while we still hold it."""
        result = await self.accounts.update_one(
            {"_id": account_id, "lease_owner": owner},
            {"$set": {**fields, "lease_until": None, "lease_owner": None}},
        )
        return result.modified_count == 1

    async def due_for_refresh(self, before: datetime, now: datetime) -> list[str]:
        cursor = self.accounts.find(
            {
                "status": AccountStatus.CONNECTED.value,
                "access_expires_at": {"$lte": before},
                "$or": [
                    {"next_refresh_at": None},
                    {"next_refresh_at": {"$lte": now}},
                    {"next_refresh_at": {"$exists": False}},
                ],
            },
            {"_id": 1},
        )
        return [a["_id"] async for a in cursor]

    async def store_rotated(
        self, account_id: str, used_refresh_token: Document, fields: Document
    ) -> bool:
        """Store a refreshed token pair if the account still holds the refresh token that was
        used (compare-and-set): it stands even if the refresher's lease ran out meanwhile, and
        loses to a disconnect (which removed the tokens) or to a refresh that already won."""
        result = await self.accounts.update_one(
            {
                "_id": account_id,
                "status": AccountStatus.CONNECTED.value,
                "refresh_token": used_refresh_token,
            },
            {"$set": {**fields, "lease_until": None, "lease_owner": None}},
        )
        return result.modified_count == 1

    async def drop_tokens(self, account_id: str, status: str, now: datetime) -> None:
        await self.accounts.update_one(
            {"_id": account_id}, {"$set": ended(status, now), "$unset": UNSET_TOKENS}
        )

    async def end_if_connected_before(
        self, account_id: str, connected_before: datetime | None, now: datetime
    ) -> bool:
        """Disconnect the account if it is not disconnected already and its connection began
        before `connected_before` (None: whenever it began). One conditional write, so a
        reconnect landing meanwhile is never ended by a removal older than it."""
        condition: dict[str, Any] = {
            "_id": account_id,
            "status": {"$ne": AccountStatus.DISCONNECTED.value},
        }
        if connected_before is not None:
            condition["$or"] = [
                {"connected_at": {"$lt": connected_before}},
                # connected before connected_at was kept: its first connection is a lower bound
                {"connected_at": {"$exists": False}, "created_at": {"$lt": connected_before}},
            ]
        update = {"$set": ended(AccountStatus.DISCONNECTED.value, now), "$unset": UNSET_TOKENS}
        return (await self.accounts.update_one(condition, update)).modified_count == 1

    async def sealed_with_other_keys(self, active: str) -> list[Document]:
        query = {
            "$or": [{f"{name}.kid": {"$exists": True, "$ne": active}} for name in TOKEN_FIELDS]
        }
        return [a async for a in self.accounts.find(query)]

    async def replace_sealed(
        self, account: Document, fields: dict[str, Any], now: datetime
    ) -> bool:
        """Swap ciphertexts only if a refresh did not change them meanwhile and none holds the
        account now: a refresh in flight compares the refresh token's ciphertext when it stores
        the new pair, so a re-seal under it would make it lose."""
        query = {
            "_id": account["_id"],
            **{name: account[name] for name in TOKEN_FIELDS if name in account},
            **no_live_lease(now),
        }
        return (await self.accounts.update_one(query, {"$set": fields})).modified_count == 1


UNSET_TOKENS = {name: "" for name in TOKEN_FIELDS}


def ended(status: str, now: datetime) -> dict[str, Any]:
    """What ending a connection sets (the tokens are unset beside it)."""
    return {"status": status, "updated_at": now, "lease_until": None}
