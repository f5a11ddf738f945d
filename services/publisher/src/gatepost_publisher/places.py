"""A queued post's places before it is sent: its creator counted in the app's creators of 24 hours
(TikTok's app-wide cap), and one of its creator's cap of posts within 24 hours, or of TikTok's
inbox budget (a draft). Taken right before the init, held for 24 hours from then; given back when
nothing was sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from gatepost_common.clock import Clock
from gatepost_common.events import PostApproved
from gatepost_publisher.headroom import full_reason
from gatepost_publisher.lifecycle import Held, Job, JobStatus
from gatepost_publisher.limits import next_place
from gatepost_publisher.outcomes import Outcomes
from gatepost_publisher.ports import AppWindow, Cap, Shares
from gatepost_publisher.settings import Settings


@dataclass
class Places:
    settings: Settings
    cap: Cap
    shares: Shares
    app: AppWindow
    outcomes: Outcomes
    clock: Clock

    async def take(
        self,
        job: Job,
        approved: PostApproved,
        creator: str,
        owner: str,
    ) -> Held | None:
        """The app's place for the creator, then a place in the creator's cap (a post) or inbox
        budget (a draft), as the job's fields that say which it holds; None when there is none:
        the job waits, visibly."""
        now = self.clock.now()
        frees = await self.app.reserve(creator, job["_id"], now)
        if frees is not None:
            await self.outcomes.wait(
                job, JobStatus.QUEUED, frees, full_reason(self.settings), owner=owner
            )
            return None
        if approved.post_mode == "MEDIA_UPLOAD":
            frees = await self.shares.reserve(creator, job["_id"], now)
            if frees is None:
                return {"app_creator": True, "inbox_share": True}
            reason = (
                f"TikTok allows {self.shares.cap} drafts in a creator's inbox within 24 hours; "
                "the next place frees then"
            )
        else:
            frees = await self.cap.reserve(creator, job["_id"], now)
            if frees is None:
                return {"app_creator": True, "cap_at": now}
            reason = (
                f"the daily cap of {self.settings.daily_cap} posts within 24 hours is reached; "
                "the next place frees then"
            )
        await self.app.release(creator, job["_id"])
        await self.outcomes.wait(job, JobStatus.QUEUED, frees, reason, owner=owner)
        return None

    async def give_back(self, job: Job) -> None:
        """Nothing was sent: the places are someone else's meanwhile."""
        if job.get("app_creator"):
            await self.app.release(job["creator"], job["_id"])
        if job.get("cap_at"):
            await self.cap.release(job["creator"], job["_id"])
        if job.get("inbox_share"):
            await self.shares.release(job["_id"])

    async def app_full(self, job: Job, source: JobStatus, owner: str) -> None:
        """TikTok said the app's cap is reached (`reached_active_user_cap`): the same wait as
        when Gatepost counted it, until a place frees by Gatepost's count, or `defer_limit_s`
        when Gatepost counts one free (TikTok counts posts Gatepost did not make)."""
        now = self.clock.now()
        frees = next_place(await self.app.counted(now), self.app.cap)
        until = frees or now + timedelta(seconds=self.settings.defer_limit_s)
        await self.outcomes.wait(job, source, until, full_reason(self.settings), owner=owner)
