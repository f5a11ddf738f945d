"""TikTok's app-wide cap: the distinct creators an app may post for within any 24 hours (5 for an
app TikTok has not audited, the cap TikTok granted for an audited one, `reached_active_user_cap`
beyond it). The publisher counts them itself, so a post over the cap waits, visibly, instead of
failing at init; the headroom is shown before a person approves."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from gatepost_common.mongo import Document
from gatepost_publisher.limits import DAY, next_place
from gatepost_publisher.settings import Settings

APP = "app"  # one document: every publisher replica of this deployment posts as one TikTok app


class AppHeadroom(BaseModel):
    audited: bool  # TIKTOK_APP_AUDITED: an unaudited app posts for at most 5 creators
    creator_cap: int  # distinct creators TikTok lets the app post for within any 24 hours
    creators_24h: int  # creators the app posted for in the last 24 hours
    creators_left: int  # how many more creators may post now
    next_creator_place_at: datetime | None  # when none is left: when the next place frees


def creator_cap(settings: Settings) -> int:
    """The cap in force: TikTok's 5 for an unaudited app, the granted one once audited."""
    return (
        settings.active_creator_cap
        if settings.tiktok_app_audited
        else settings.unaudited_creator_cap
    )


def full_reason(settings: Settings) -> str:
    """Why a post waits for the app's cap (shown in the queue), whether Gatepost counted it or
    TikTok said so (`reached_active_user_cap`)."""
    cap = creator_cap(settings)
    state = "an audited" if settings.tiktok_app_audited else "an unaudited"
    return (
        f"this app may post for no more creators today: TikTok lets {state} app post for {cap} "
        "creators within 24 hours; the next place frees then"
    )


class AppCreators:
    """The creators the app posted for within 24 hours, each with when they last posted, in one
    document: a creator counted already posts again without a new place; a new one takes a place
    with one conditional update that matches only while fewer than `cap` are counted, so on a
    replica set two replicas cannot both take the last place."""

    def __init__(self, db: AsyncDatabase[Document], cap: int) -> None:
        self.window = db["app_creators"]
        self.cap = cap

    async def reserve(self, creator: str, job_id: str, now: datetime) -> datetime | None:
        """Count `creator` from `now`; when the app is full, when the next place frees."""
        # every replica's every init comes here (one document for the whole app): a creator
        # counted already costs one write; the creators a day old are let go only before a new
        # one is counted (the list never holds more than `cap`, stale or not, so refreshing a
        # creator listed, even a day old, never counts more than `cap`)
        stale = {"$lte": now - DAY}
        for attempt in range(3):
            # counted already: posting again keeps the creator counted for 24 hours from now
            # (TikTok counts from their last post); the place is no longer this job's to give back
            again = await self.window.update_one(
                {"_id": APP, "creators.id": creator},
                {"$set": {"creators.$.at": now, "creators.$.added_by": None}},
            )
            if again.matched_count == 1:
                return None
            if attempt == 0:
                await self.window.update_one(
                    {"_id": APP, "creators.at": stale}, {"$pull": {"creators": {"at": stale}}}
                )
            try:
                added = await self.window.update_one(
                    {
                        "_id": APP,
                        "creators.id": {"$ne": creator},
                        f"creators.{self.cap - 1}": {"$exists": False},
                    },
                    {"$push": {"creators": {"id": creator, "at": now, "added_by": job_id}}},
                    upsert=True,
                )
                if added.modified_count == 1 or added.upserted_id is not None:
                    return None
            except DuplicateKeyError:
                pass  # another replica's first place created the document: ask again
            counted = await self.counted(now)
            if len(counted) >= self.cap:
                return next_place(counted, self.cap)
        return now + timedelta(seconds=1)  # lost three races in a row: try again in a moment

    async def counted(self, now: datetime) -> list[datetime]:
        """When each creator counted in the last 24 hours last posted, oldest first."""
        found = await self.window.find_one({"_id": APP})
        return sorted(c["at"] for c in (found or {}).get("creators", []) if c["at"] > now - DAY)

    async def holds(self, creator: str, now: datetime) -> bool:
        """Whether `creator` is counted now (then they post without a new place)."""
        found = await self.window.find_one({"_id": APP})
        creators = (found or {}).get("creators", [])
        return any(c["id"] == creator and c["at"] > now - DAY for c in creators)

    async def release(self, creator: str, job_id: str) -> None:
        """Nothing was sent: the creator's place goes back if this job took it (a creator who
        posted since keeps theirs)."""
        await self.window.update_one(
            {"_id": APP}, {"$pull": {"creators": {"id": creator, "added_by": job_id}}}
        )

    async def headroom(self, settings: Settings, now: datetime) -> AppHeadroom:
        counted = await self.counted(now)
        return AppHeadroom(
            audited=settings.tiktok_app_audited,
            creator_cap=self.cap,
            creators_24h=len(counted),
            creators_left=max(self.cap - len(counted), 0),
            next_creator_place_at=next_place(counted, self.cap),
        )
