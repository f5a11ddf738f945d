"""The sessions auth has issued, so it can end them: sign-out ends one, "sign out everywhere"
ends all of a person's. A session token carries its id (`sid`); the gateway asks auth about each
request's session (`GET /session/check`) before a service sees it, so an ended session answers
401 at once everywhere. Each change is one single-document (or one multi-document `$set` that
only ever ends sessions) update."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from pymongo.asynchronous.database import AsyncDatabase

from gatepost_common.mongo import Document


class Sessions(Protocol):
    async def start(self, sid: str, user_id: str, now: datetime, expires_at: datetime) -> None: ...
    async def end(self, sid: str, user_id: str, now: datetime) -> None: ...
    async def end_all(self, user_id: str, now: datetime) -> int: ...
    async def is_live(self, sid: str, now: datetime) -> bool: ...


class MongoSessions:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.sessions = db["sessions"]

    async def ensure_indexes(self) -> None:
        await self.sessions.create_index("user_id")

    async def start(self, sid: str, user_id: str, now: datetime, expires_at: datetime) -> None:
        session = {"_id": sid, "user_id": user_id, "started_at": now, "expires_at": expires_at}
        await self.sessions.insert_one(session | {"ended_at": None})

    async def end(self, sid: str, user_id: str, now: datetime) -> None:
        await self.sessions.update_one(
            {"_id": sid, "user_id": user_id, "ended_at": None}, {"$set": {"ended_at": now}}
        )

    async def end_all(self, user_id: str, now: datetime) -> int:
        ended = await self.sessions.update_many(
            {"user_id": user_id, "ended_at": None}, {"$set": {"ended_at": now}}
        )
        return ended.modified_count

    async def is_live(self, sid: str, now: datetime) -> bool:
        found = await self.sessions.find_one({"_id": sid}, {"ended_at": 1, "expires_at": 1})
        return found is not None and found["ended_at"] is None and found["expires_at"] > now
