"""What an account may still publish: today's place in the creator's daily cap, TikTok's inbox
limit for drafts, TikTok's per-minute init limit. Shown on the posting page before a person
approves, so a post that will wait is known to wait, and until when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path
from pydantic import BaseModel
from pymongo.asynchronous.database import AsyncDatabase

from gatepost_common.clock import Clock
from gatepost_common.mongo import Document
from gatepost_common.sessions import User, session_user
from gatepost_publisher.adapters import AuthClient
from gatepost_publisher.domain import CapWindow
from gatepost_publisher.limits import DAY
from gatepost_publisher.settings import Settings


class Budget(BaseModel):
    account_id: str
    daily_cap: int
    posts_today: int
    posts_left: int
    day_ends_at: datetime  # when today's places come back (UTC midnight)
    inbox_cap: int
    drafts_24h: int
    drafts_left: int
    next_draft_place_at: datetime | None  # when the oldest of the last 24 hours' drafts ages out
    init_per_minute: int


@dataclass
class Budgets:
    settings: Settings
    db: AsyncDatabase[Document]
    clock: Clock

    async def of(self, account_id: str, creator: str) -> Budget:
        now = self.clock.now()
        window = CapWindow.at(now)
        counter = await self.db["daily_caps"].find_one({"_id": f"{creator}:{window.day}"})
        posts = int((counter or {}).get("count") or 0)
        drafts = [
            d["at"]
            async for d in self.db["inbox_shares"]
            .find({"creator": creator, "at": {"$gt": now - DAY}})
            .sort("at")
        ]
        cap, inbox = self.settings.daily_cap, self.settings.inbox_share_cap
        return Budget(
            account_id=account_id,
            daily_cap=cap,
            posts_today=posts,
            posts_left=max(cap - posts, 0),
            day_ends_at=window.next_start,
            inbox_cap=inbox,
            drafts_24h=len(drafts),
            drafts_left=max(inbox - len(drafts), 0),
            next_draft_place_at=drafts[len(drafts) - inbox] + DAY if len(drafts) >= inbox else None,
            init_per_minute=self.settings.init_per_minute,
        )


def budget_routes(settings: Settings, budgets: Budgets, auth: AuthClient) -> APIRouter:
    router = APIRouter(tags=["publications"])
    current_user = session_user(settings.session_public_key)

    @router.get("/accounts/{account_id}/budget")
    async def budget(
        account_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")],
        user: User = current_user,
    ) -> Budget:
        """How many posts the account can still publish today, and drafts send to its inbox."""
        creator = await auth.creator_of(user.id, account_id)
        if creator is None:
            raise HTTPException(404, "no such account")
        return await budgets.of(account_id, creator)

    return router
