"""Limits that hold across publisher replicas, enforced atomically in MongoDB.

- DailyCap: at most `cap` posts per TikTok creator within any 24 hours (TikTok's rolling day);
  a reservation is a conditional update of the creator's document.
- InitLocks: at most one content/init in flight per creator.
- InboxShares: at most `cap` drafts sent to a creator's inbox within any 24 hours.
TikTok's per-minute limits use the shared `gatepost_common.ratelimit.RateLimiter`."""

from __future__ import annotations

from datetime import datetime, timedelta

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from gatepost_common.mongo import Document

DAY = timedelta(hours=24)


class DailyCap:
    """TikTok counts a creator's posts over a rolling 24 hours, so a place is held for 24 hours
    from the post's init. One document per TikTok creator (or any holder) lists the posts holding
    a place and since when: a post reserves at most once and releases at most once (a webhook and
    a poll that both see FAILED give one place back), whoever asks and however often."""

    def __init__(self, db: AsyncDatabase[Document], cap: int) -> None:
        self.counters = db["rolling_caps"]
        self.cap = cap

    async def reserve(self, holder: str, post_id: str, now: datetime) -> datetime | None:
        """Take a place for `post_id` from `now`; when none is free, when the next one frees.
        Taking one is one conditional update of the holder's document, which matches only while
        the post holds none and fewer than `cap` are listed (the list has no element at index
        cap - 1), so on a replica set two takers cannot both get the last place. Places older
        than 24 hours are let go (an update of their own: harmless in any order) only when the
        list is full: a place taken while there is room costs one command."""
        let_go = False
        for _ in range(4):
            try:
                result = await self.counters.update_one(
                    {
                        "_id": holder,
                        "posts.id": {"$ne": post_id},
                        f"posts.{self.cap - 1}": {"$exists": False},
                    },
                    {"$push": {"posts": {"id": post_id, "at": now}}},
                    upsert=True,
                )
                if result.modified_count == 1 or result.upserted_id is not None:
                    return None
            except DuplicateKeyError:
                pass  # the document exists and the filter missed it: see why below
            # the post holds a place already, the cap is reached, or (on a real replica set)
            # another first reservation inserted the document a moment ago: then ask again
            counter = await self.counters.find_one({"_id": holder})
            if counter is None:
                continue
            posts = counter.get("posts", [])
            if any(p["id"] == post_id for p in posts):
                return None
            if not let_go and any(p["at"] <= now - DAY for p in posts):
                await self.counters.update_one(
                    {"_id": holder}, {"$pull": {"posts": {"at": {"$lte": now - DAY}}}}
                )
                let_go = True
                continue
            if len(posts) >= self.cap:
                return next_place(sorted(p["at"] for p in posts), self.cap)
        return now + timedelta(seconds=1)  # lost the races in a row: try again in a moment

    async def held(self, holder: str, now: datetime) -> list[datetime]:
        """When each place held in the last 24 hours was taken, oldest first."""
        counter = await self.counters.find_one({"_id": holder})
        posts = (counter or {}).get("posts", [])
        return sorted(p["at"] for p in posts if p["at"] > now - DAY)

    async def release(self, holder: str, post_id: str) -> None:
        """Give the post's place back (nothing was posted), once."""
        await self.counters.update_one({"_id": holder}, {"$pull": {"posts": {"id": post_id}}})


class InitLocks:
    """One lock document per creator, held by the job whose content/init is in flight, until a
    time (a crashed holder's lock ends with its lease). Taking it is one conditional upsert on the
    unique `_id`: on a real replica set two takers cannot both win."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.locks = db["init_locks"]

    async def take(self, creator: str, job_id: str, now: datetime, until: datetime) -> bool:
        try:
            result = await self.locks.update_one(
                {
                    "_id": creator,
                    "$or": [{"holder": None}, {"holder": job_id}, {"until": {"$lt": now}}],
                },
                {"$set": {"holder": job_id, "until": until}},
                upsert=True,
            )
        except DuplicateKeyError:  # the lock exists and another job holds it
            return False
        return result.matched_count == 1 or result.upserted_id is not None

    async def give_back(self, creator: str, job_id: str) -> None:
        await self.locks.update_one({"_id": creator, "holder": job_id}, {"$set": {"holder": None}})


class InboxShares:
    """TikTok's limit on drafts sent to a creator's inbox: `cap` within any 24 hours. One document
    per draft sent (or about to be); a draft TikTok ended FAILED gives its place back. Counting
    then inserting is safe because the caller holds the creator's init lock."""

    def __init__(self, db: AsyncDatabase[Document], cap: int) -> None:
        self.shares = db["inbox_shares"]
        self.cap = cap

    async def ensure_indexes(self) -> None:
        await self.shares.create_index([("creator", 1), ("at", 1)])

    async def recent(self, creator: str, now: datetime) -> list[datetime]:
        """When the creator's drafts of the last 24 hours were sent, oldest first."""
        found = self.shares.find({"creator": creator, "at": {"$gt": now - DAY}}).sort("at")
        return [d["at"] async for d in found]

    async def reserve(self, creator: str, job_id: str, now: datetime) -> datetime | None:
        """Take a place for `job_id`; when none is free, the time the next one frees."""
        if await self.shares.find_one({"_id": job_id}) is not None:
            return None  # taken already (the step is done again after a crash)
        frees = next_place(await self.recent(creator, now), self.cap)
        if frees is not None:
            return frees
        await self.shares.update_one(
            {"_id": job_id}, {"$setOnInsert": {"creator": creator, "at": now}}, upsert=True
        )
        return None

    async def release(self, job_id: str) -> None:
        await self.shares.delete_one({"_id": job_id})


def next_place(recent: list[datetime], cap: int) -> datetime | None:
    """With drafts sent at `recent` (oldest first) and `cap` allowed in any 24 hours: None while
    a place is free, else when the next one frees."""
    return recent[len(recent) - cap] + DAY if len(recent) >= cap else None
