"""What an account may still publish: a place in the creator's cap of posts within 24 hours,
TikTok's inbox limit for drafts, TikTok's per-minute init limit, and the app's headroom of
creators within 24 hours (TikTok's app-wide cap). Shown on the posting page before
a person approves, so a post that will wait is known to wait, and until when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path
from pydantic import BaseModel

from gatepost_common.clock import Clock
from gatepost_common.events import IDENTIFIER
from gatepost_common.provided import given
from gatepost_common.sessions import CurrentUser
from gatepost_publisher.adapters import AuthClient
from gatepost_publisher.headroom import AppCreators, AppHeadroom
from gatepost_publisher.limits import DailyCap, InboxShares, next_place
from gatepost_publisher.settings import Settings


class Budget(BaseModel):
    account_id: str
    daily_cap: int
    posts_24h: int  # places held by posts initiated in the last 24 hours (TikTok's rolling day)
    posts_left: int
    next_post_place_at: datetime | None  # when none is left: when the next one comes back
    inbox_cap: int
    drafts_24h: int
    drafts_left: int
    next_draft_place_at: datetime | None  # when the oldest of the last 24 hours' drafts ages out
    init_per_minute: int
    app: AppHeadroom  # the TikTok app's creators of 24 hours, all accounts together
    creator_counted: bool  # the creator posted within 24 hours: they post without a new place


@dataclass
class Budgets:
    settings: Settings
    cap: DailyCap
    shares: InboxShares
    app: AppCreators
    clock: Clock

    async def of(self, account_id: str, creator: str) -> Budget:
        now = self.clock.now()
        posts = await self.cap.held(creator, now)
        drafts = await self.shares.recent(creator, now)
        cap, inbox = self.cap.cap, self.shares.cap
        return Budget(
            account_id=account_id,
            daily_cap=cap,
            posts_24h=len(posts),
            posts_left=max(cap - len(posts), 0),
            next_post_place_at=next_place(posts, cap),
            inbox_cap=inbox,
            drafts_24h=len(drafts),
            drafts_left=max(inbox - len(drafts), 0),
            next_draft_place_at=next_place(drafts, inbox),
            init_per_minute=self.settings.init_per_minute,
            app=await self.app.headroom(self.settings, now),
            creator_counted=await self.app.holds(creator, now),
        )


router = APIRouter(tags=["publications"])


@router.get("/accounts/{account_id}/budget")
async def budget(
    account_id: Annotated[str, Path(pattern=IDENTIFIER)],
    user: CurrentUser,
    budgets: Annotated[Budgets, given(Budgets)],
    auth: Annotated[AuthClient, given(AuthClient)],
) -> Budget:
    """How many posts the account can still publish within 24 hours, and drafts send to its
    inbox."""
    creator = await auth.creator_of(user.id, account_id)
    if creator is None:
        raise HTTPException(404, "no such account")
    return await budgets.of(account_id, creator)


headroom_routes = APIRouter(tags=["publications"])


@headroom_routes.get("/app/headroom")
async def app_headroom(
    user: CurrentUser, budgets: Annotated[Budgets, given(Budgets)]
) -> AppHeadroom:
    """How many more creators the TikTok app may post for now (TikTok's app-wide cap of
    distinct creators within 24 hours), and when the next place frees."""
    return await budgets.app.headroom(budgets.settings, budgets.clock.now())
