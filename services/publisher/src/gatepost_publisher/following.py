"""Following a post TikTok took (a publish_id) until it settles: webhooks settle it first, a
status poll with growing pauses is the fallback. A poll is one step; between polls the job waits
in the database, holding no worker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from gatepost_common.clock import Clock
from gatepost_common.events import PublishStatus
from gatepost_common.tiktok import TikTokClient
from gatepost_publisher.calls import CallFailed, NotYet
from gatepost_publisher.domain import AUTO_RETRY_FAIL_REASONS, RETRYABLE_FAIL_REASONS, Handling
from gatepost_publisher.lifecycle import POLL_LATER, Job, JobStatus, Schedule
from gatepost_publisher.live import LiveLinks
from gatepost_publisher.outcomes import Outcomes
from gatepost_publisher.ports import Calls, JobStore
from gatepost_publisher.settings import Settings
from gatepost_publisher.uploading import Uploading

TERMINAL = ("PUBLISH_COMPLETE", "SEND_TO_USER_INBOX", "FAILED")


@dataclass
class Following:
    settings: Settings
    jobs: JobStore
    calls: Calls
    tiktok: TikTokClient
    outcomes: Outcomes
    clock: Clock
    schedule: Schedule
    uploading: Uploading
    live: LiveLinks | None = None  # after PUBLISH_COMPLETE: the public id, then the numbers

    async def step(self, job: Job, owner: str) -> None:
        """The video's bytes first (FILE_UPLOAD), then one status/fetch: settled or due again."""
        upload = job.get("upload")
        if upload and not upload.get("done"):
            await self.uploading.step(job, owner)
            return
        publish_id = job.get("publish_id") or ""  # a job TikTok is processing has one
        now = self.clock.now()
        polls = int(job.get("polls") or 0)
        try:
            status = await self.calls.call(
                job["account_id"],
                job["approved"]["user_id"],
                "status_fetch",
                lambda token: self.tiktok.publish_status(token, publish_id),
                post_id=job["post_id"],
            )
        except NotYet as not_yet:
            await self.outcomes.not_yet(job, JobStatus.PROCESSING, not_yet.wait, owner=owner)
            return
        except CallFailed as failure:
            if failure.handling is Handling.FAIL:  # e.g. the publish_id is not this token's
                await self.outcomes.finish(
                    job, JobStatus.PROCESSING, "UNKNOWN", failure.reason, owner=owner
                )
                return
            # the post is with TikTok whatever happens here: look again later (a webhook may
            # settle it meanwhile); a reconnect or a passing error only delays seeing the outcome
            pause = (
                timedelta(seconds=self.settings.reconnect_check_s)
                if failure.code == "needs_reauth"
                else timedelta(seconds=self.settings.rate_limited_backoff_s)
            )
            await self.poll_again(job, owner, now + pause, polls)
            return
        if status.get("status") in TERMINAL:
            await self.settle(
                job,
                status["status"],
                status.get("fail_reason") or None,
                [str(i) for i in status.get("publicaly_available_post_id", [])],
                owner=owner,
            )
            return
        await self.poll_again(job, owner, self.schedule.next_poll(now, polls + 1), polls + 1)

    async def poll_again(self, job: Job, owner: str, due: datetime, polls: int) -> None:
        since = job.get("processing_since") or job.get("attempt_at")
        limit = timedelta(seconds=self.settings.processing_timeout_s)
        if since is not None and self.clock.now() - since > limit:
            await self.outcomes.finish(
                job, JobStatus.PROCESSING, "UNKNOWN", never_settled(self.settings, job), owner=owner
            )
            return
        await self.jobs.move(job["_id"], POLL_LATER, {"due_at": due, "polls": polls}, owner=owner)

    async def settle(
        self,
        job: Job,
        status: PublishStatus,
        reason: str | None,
        post_ids: list[str],
        *,
        owner: str | None = None,
    ) -> None:
        """A terminal TikTok status, from polling or a webhook: applied once."""
        if await self.started_again(job, status, reason, owner):
            return
        retryable = status == "FAILED" and reason in RETRYABLE_FAIL_REASONS
        public = job["approved"]["options"]["privacy_level"] == "PUBLIC_TO_EVERYONE"
        awaited = status == "PUBLISH_COMPLETE" and public and not post_ids
        visibility_due = None
        if awaited:
            # followed before the outcome leaves: a crash between the two, or a clock moved on
            # as soon as post.published is seen, must not lose or delay the public id's polls
            if self.live is not None:
                await self.live.follow(job)
            visibility_due = self.clock.now() + timedelta(seconds=self.settings.public_grace_s)
        if not await self.outcomes.finish(
            job,
            JobStatus.PROCESSING,
            status,
            reason,
            owner=owner,
            post_ids=post_ids,
            retryable=retryable,
            visibility_due=visibility_due,
        ):
            return
        if status == "PUBLISH_COMPLETE" and post_ids and self.live is not None:
            await self.live.went_live(job, post_ids[0], settled=True)

    async def started_again(
        self, job: Job, status: PublishStatus, reason: str | None, owner: str | None
    ) -> bool:
        """TikTok could not fetch the pictures (or failed itself): nothing was posted, so the same
        approval goes to TikTok again after a pause, up to `tiktok_failure_retries` times."""
        again = int(job.get("started_again") or 0)
        if (
            status != "FAILED"
            or reason not in AUTO_RETRY_FAIL_REASONS
            or again >= self.settings.tiktok_failure_retries
        ):
            return False
        due = self.schedule.next_retry(self.clock.now(), again + 5)  # 16 s, then twice as long
        await self.outcomes.start_again(
            job,
            due,
            f"TikTok could not publish it ({reason}): trying again",
            f"TikTok ended it FAILED ({reason}); nothing was posted",
            owner=owner,
        )
        return True


def never_settled(settings: Settings, job: Job) -> str:
    """Why a post TikTok took but never settled ends UNKNOWN: where the person can look."""
    hours = settings.processing_timeout_s / 3600
    username = job.get("creator_username")
    where = f"https://www.tiktok.com/@{username}" if username else "the creator's TikTok profile"
    return (
        f"TikTok took the post but reported no outcome within {hours:g} "
        f"hour{'' if hours == 1 else 's'} (it may still be "
        f"processing, or be stuck): check TikTok at {where} before posting it again"
    )
