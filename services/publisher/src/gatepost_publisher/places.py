"""A queued post's place before it is sent: one of its creator's cap of posts within 24 hours, or of
TikTok's inbox budget (a draft). Taken right before content/init, held for 24 hours from then;
given back when nothing was sent."""

from __future__ import annotations

from dataclasses import dataclass

from gatepost_common.clock import Clock
from gatepost_common.events import PostApproved
from gatepost_publisher.lifecycle import Held, Job, JobStatus
from gatepost_publisher.outcomes import Outcomes
from gatepost_publisher.ports import Cap, Shares
from gatepost_publisher.settings import Settings


@dataclass
class Places:
    settings: Settings
    cap: Cap
    shares: Shares
    outcomes: Outcomes
    clock: Clock

    async def take(
        self,
        job: Job,
        approved: PostApproved,
        creator: str,
        owner: str,
    ) -> Held | None:
        """A place in the creator's cap (a post) or inbox budget (a draft), as the job's fields
        that say which it holds; None when there is none: the job waits, visibly."""
        if approved.post_mode == "MEDIA_UPLOAD":
            frees = await self.shares.reserve(creator, job["_id"], self.clock.now())
            if frees is None:
                return {"inbox_share": True}
            reason = (
                f"TikTok allows {self.shares.cap} drafts in a creator's inbox within 24 hours; "
                "the next place frees then"
            )
            await self.outcomes.wait(job, JobStatus.QUEUED, frees, reason, owner=owner)
            return None
        now = self.clock.now()
        frees = await self.cap.reserve(creator, job["_id"], now)
        if frees is None:
            return {"cap_at": now}
        reason = (
            f"the daily cap of {self.settings.daily_cap} posts within 24 hours is reached; "
            "the next place frees then"
        )
        await self.outcomes.wait(job, JobStatus.QUEUED, frees, reason, owner=owner)
        return None

    async def give_back(self, job: Job) -> None:
        """Nothing was sent: the cap or inbox place is someone else's meanwhile."""
        if job.get("cap_at"):
            await self.cap.release(job["creator"], job["_id"])
        if job.get("inbox_share"):
            await self.shares.release(job["_id"])
