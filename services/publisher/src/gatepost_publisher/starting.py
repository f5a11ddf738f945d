"""Handing a queued post to TikTok: creator_info right before the init, within the creator's
daily cap (or inbox budget) and TikTok's per-minute limits, at most one init in flight per
creator, and the init sent at most once. A step ends with the job waiting (holding no worker),
processing, or done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import ValidationError

from gatepost_common import signing
from gatepost_common.clock import Clock
from gatepost_common.events import PostApproved, ProgressState
from gatepost_common.tiktok import TikTokClient
from gatepost_common.tiktok_chunks import chunk_plan
from gatepost_publisher.adapters import Grant
from gatepost_publisher.calls import CallFailed, NotYet
from gatepost_publisher.domain import Handling, expired
from gatepost_publisher.initiating import Blocked, Refused, check_creator, init_call, init_endpoint
from gatepost_publisher.lifecycle import BEGIN_INIT, INITIATED, Job, JobStatus, Schedule
from gatepost_publisher.outcomes import Outcomes
from gatepost_publisher.pinning import PhotoLimit, check_pinned
from gatepost_publisher.places import Places
from gatepost_publisher.ports import Audit, Calls, JobStore, Locks, Served
from gatepost_publisher.settings import Settings
from gatepost_publisher.waiting import wait_out

CHANGED = (
    "the approval's signature does not match what was about to be posted: the job was changed "
    "after it was approved; nothing was sent to TikTok"
)
LOCK_RETRY = timedelta(milliseconds=500)  # another post of the creator is being initiated


@dataclass
class Starting:
    settings: Settings
    jobs: JobStore
    audit: Audit
    calls: Calls
    tiktok: TikTokClient
    locks: Locks
    served: Served
    places: Places
    outcomes: Outcomes
    clock: Clock
    schedule: Schedule

    async def step(self, job: Job, owner: str) -> None:
        try:
            approved = PostApproved.model_validate(job["approved"])
        except ValidationError:  # changed into something that is no approval at all
            await self.refuse(job, owner, CHANGED)
            return
        account, user = approved.account_id, approved.user_id
        expiry = timedelta(seconds=self.settings.approval_expiry_s)
        if reason := expired(approved, self.clock.now(), expiry):
            waited = f" (it waited: {job['deferred_reason']})" if job.get("deferred_reason") else ""
            await self.refuse(job, owner, reason + waited, kind="expired", retryable=True)
            return
        try:
            # the approval is verified again right before posting, over exactly what is sent: a
            # job document changed after intake (anything that reached the database) posts nothing
            if not signing.verify(self.settings.approval_public_key, approved.signed_data()):
                raise Refused(CHANGED)
            # the init is the scarcest call: nothing else is spent before its slot is free
            if (wait := await self.calls.free_in(account, init_endpoint(approved))) > timedelta(0):
                raise NotYet(wait)
            grant = await self.calls.grant(account, user)
            creator = grant.open_id
            now = self.clock.now()
            lease = timedelta(seconds=self.settings.lease_s)
            if not await self.locks.take(creator, job["_id"], now, now + lease):
                raise NotYet(LOCK_RETRY)
        except NotYet as not_yet:
            await self.outcomes.not_yet(job, JobStatus.QUEUED, not_yet.wait, owner=owner)
            return
        except Refused as refused:
            await self.refuse(job, owner, str(refused))
            return
        except CallFailed as failure:
            await self.failed(job, JobStatus.QUEUED, owner, failure)
            return
        try:
            await self.initiate(job, approved, grant, owner)
        finally:
            await self.locks.give_back(creator, job["_id"])

    async def initiate(self, job: Job, approved: PostApproved, grant: Grant, owner: str) -> None:
        account, user, post = approved.account_id, approved.user_id, approved.post_id
        creator = grant.open_id
        held = await self.places.take(job, approved, creator, owner)
        if held is None:
            return
        job = {**job, "creator": creator, **held}
        source = JobStatus.QUEUED
        try:
            info = await self.calls.call(
                account, user, "creator_info", self.tiktok.creator_info, post_id=post, grant=grant
            )
            check_creator(self.settings, approved, info)
            s = self.settings
            limit = PhotoLimit(s.tiktok_photo_size_side, s.tiktok_max_photo_side)
            await check_pinned(self.served, approved, limit)  # the approved bytes, or nothing
            # Record the attempt before calling: a crash now leaves a visible trace, not a repost.
            # The lease is renewed while the worker waits for TikTok's answer.
            if not await self.jobs.move(
                job["_id"],
                BEGIN_INIT,
                {"attempt_at": self.clock.now(), "creator": creator, **held},
                owner=owner,
            ):
                await self.places.give_back(job)
                return
            source = JobStatus.INITIATING
            publish_id, upload_url = await self.calls.call(
                account,
                user,
                init_endpoint(approved),
                self.init_for(approved),
                post_id=post,
                repeatable=False,
                grant=grant,
            )
            await self.audit.written()  # the step's calls are audited before the publish_id
        except NotYet as not_yet:
            await self.places.give_back(job)
            await self.outcomes.not_yet(job, source, not_yet.wait, owner=owner)
            return
        except Blocked as blocked:
            await self.places.give_back(job)
            later = self.clock.now() + timedelta(seconds=self.settings.defer_blocked_s)
            await self.outcomes.wait(job, source, later, str(blocked), owner=owner)
            return
        except Refused as refused:
            await self.refuse(job, owner, str(refused))
            return
        except CallFailed as failure:
            await self.failed(job, source, owner, failure)
            return
        now = self.clock.now()
        fields: dict[str, Any] = {
            "publish_id": publish_id,
            "processing_since": now,
            "due_at": self.schedule.next_poll(now, 0),
            "polls": 0,
            "retries": 0,
            "upload": None,
            "creator_username": info.get("creator_username"),  # for the live post's link
        }
        if upload_url and approved.video:  # the bytes go next, in the following steps
            chunk, count = chunk_plan(approved.video.size, self.settings.upload_chunk_bytes)
            fields |= {
                "due_at": now,
                "upload": {
                    "url": upload_url,
                    "chunk": chunk,
                    "count": count,
                    "held": 0,
                    "issued_at": now,  # TikTok's upload URL is valid for an hour
                },
            }
        moved = await self.jobs.move(job["_id"], INITIATED, fields, owner=owner)
        # the job was given up meanwhile (UNKNOWN, its lease lost): TikTok took it all the same,
        # so its publish_id is kept and followed, never dropped
        if not moved and await self.jobs.adopt(job["_id"], fields):
            await self.audit.append(
                account, "init_answer_kept", post_id=post, publish_id=publish_id
            )
            moved = True
        if moved:
            state: ProgressState = "uploading" if fields["upload"] else "processing"
            await self.outcomes.progress({**job, "publish_id": publish_id}, state)

    def init_for(self, approved: PostApproved) -> Any:
        return init_call(self.tiktok, self.settings, approved)

    async def refuse(
        self, job: Job, owner: str, reason: str, *, kind: str = "refused", retryable: bool = False
    ) -> None:
        await self.audit.append(job["account_id"], kind, post_id=job["post_id"], reason=reason)
        await self.outcomes.finish(
            job, JobStatus.QUEUED, "FAILED", reason, owner=owner, retryable=retryable
        )

    async def failed(self, job: Job, source: JobStatus, owner: str, failure: CallFailed) -> None:
        """A call before or at content/init did not succeed: unknown, wait, retry later, or fail."""
        if failure.uncertain:  # TikTok may have posted: never ask again, let a person check
            await self.outcomes.finish(
                job,
                source,
                "UNKNOWN",
                f"{failure.reason}; TikTok may have posted it anyway: check the TikTok profile "
                "before posting again",
                owner=owner,
            )
            return
        if failure.handling is Handling.FAIL:
            await self.outcomes.finish(job, source, "FAILED", failure.reason, owner=owner)
            return
        await self.places.give_back(job)  # nothing was posted
        if failure.code == "reached_active_user_cap":
            await self.places.app_full(job, source, owner)
            return
        await wait_out(self.outcomes, self.settings, self.schedule, job, source, owner, failure)
