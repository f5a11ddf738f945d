"""People in MongoDB: their sign-ups waiting for the link, their accounts, and the sign-in attempts
that throttle password guessing."""

from __future__ import annotations

from datetime import datetime, timedelta

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from gatepost_common.mongo import Document


class MongoUserRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.users = db["users"]
        self.attempts = db["signin_attempts"]
        self.signups = db["signups"]

    async def ensure_indexes(self) -> None:
        await self.users.create_index("email", unique=True)
        await self.signups.create_index("expires_at")

    async def add_signup(
        self, token_hash: str, email: str, password_hash: str, expires_at: datetime
    ) -> None:
        """A sign-up waiting for its e-mail link; only the link's hash is kept."""
        await self.signups.insert_one(
            {
                "_id": token_hash,
                "email": email,
                "password_hash": password_hash,
                "expires_at": expires_at,
            }
        )

    async def take_signup(self, token_hash: str, now: datetime) -> Document | None:
        """The sign-up of a link, used up by this call (a link works once, before it expires)."""
        found = await self.signups.find_one_and_delete({"_id": token_hash})
        return found if found is not None and found["expires_at"] > now else None

    async def add(self, user_id: str, email: str, password_hash: str, now: datetime) -> None:
        await self.users.insert_one(
            {"_id": user_id, "email": email, "password_hash": password_hash, "created_at": now}
        )

    async def by_email(self, email: str) -> Document | None:
        return await self.users.find_one({"email": email})

    async def by_id(self, user_id: str) -> Document | None:
        return await self.users.find_one({"_id": user_id})

    async def replace_password(
        self, user_id: str, old_hash: str, new_hash: str, now: datetime
    ) -> bool:
        """Set a new password hash, only while the old one is still the one stored: of two
        changes at once, one wins and the other is told (False)."""
        changed = await self.users.update_one(
            {"_id": user_id, "password_hash": old_hash},
            {"$set": {"password_hash": new_hash, "password_changed_at": now}},
        )
        return changed.modified_count == 1

    async def count_attempt(self, key: str, now: datetime, window: timedelta) -> int:
        """Count this sign-in attempt before the password is checked, atomically, and return
        how many there were in the current window (a success clears them): however many arrive
        at once, only the first few are ever checked."""
        for _ in range(3):
            current = await self.attempts.find_one_and_update(
                {"_id": key, "window_start": {"$gt": now - window}},
                {"$inc": {"failures": 1}},
                return_document=ReturnDocument.AFTER,
            )
            if current is not None:
                return int(current["failures"])
            restarted = await self.attempts.find_one_and_update(
                {"_id": key, "window_start": {"$lte": now - window}},
                {"$set": {"window_start": now, "failures": 1}},
            )
            if restarted is not None:
                return 1
            try:
                await self.attempts.insert_one({"_id": key, "window_start": now, "failures": 1})
                return 1
            except DuplicateKeyError:
                continue  # another attempt opened the window a moment ago: count in it
        raise RuntimeError("sign-in attempts could not be counted")

    async def clear_failures(self, key: str) -> None:
        await self.attempts.delete_one({"_id": key})

    async def review_mail(self, user_id: str) -> bool:
        """Whether the person is mailed when posts await approval (on unless turned off)."""
        found = await self.users.find_one({"_id": user_id}, {"review_mail": 1})
        return found is not None and found.get("review_mail") is not False

    async def set_review_mail(self, user_id: str, on: bool) -> None:
        await self.users.update_one({"_id": user_id}, {"$set": {"review_mail": on}})
