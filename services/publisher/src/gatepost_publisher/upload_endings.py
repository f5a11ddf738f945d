"""How a FILE_UPLOAD that cannot go on ends: failed when nothing can have been published (a person
may publish it again), begun again with a new init while the last chunk cannot have arrived,
followed by its publish_id once it may have (never a second init), UNKNOWN when TikTok holds bytes
Gatepost never sent."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from gatepost_common.clock import Clock
from gatepost_common.metrics import UPLOADS_TAMPERED
from gatepost_publisher.lifecycle import POLL_LATER, Job, JobStatus, Upload
from gatepost_publisher.outcomes import Outcomes
from gatepost_publisher.ports import JobStore
from gatepost_publisher.settings import Settings
from gatepost_publisher.upload_ledger import TAMPERED, Ledger

logger = logging.getLogger(__name__)


@dataclass
class UploadEndings:
    settings: Settings
    jobs: JobStore
    outcomes: Outcomes
    clock: Clock

    async def give_up(self, job: Job, owner: str, reason: str, ledger: Ledger) -> None:
        """Nothing was published, for a reason that may pass: a person may publish it again.
        Unless the last chunk may have arrived: then TikTok's own status tells what happened."""
        if ledger.final_may_have_arrived:
            await self.follow(job, owner, reason)
            return
        await self.outcomes.finish(
            job, JobStatus.PROCESSING, "FAILED", reason, owner=owner, retryable=True
        )

    async def within(
        self, job: Job, owner: str, tries: int, most: int, reason: str, ledger: Ledger
    ) -> bool:
        """True while `tries` is at most `most`; past it the post fails with `reason`."""
        if tries <= most:
            return True
        await self.give_up(job, owner, reason, ledger)
        return False

    async def follow(self, job: Job, owner: str, why: str) -> None:
        """The last chunk may have reached TikTok, which may be processing the video: never a
        second init; the publish_id is followed (status/fetch, webhooks) to TikTok's outcome, or
        to UNKNOWN when none comes (following.py)."""
        upload = job.get("upload")
        now = self.clock.now()
        fields = {
            "upload": {**(upload or {}), "done": True, "uncertain": why},
            "processing_since": now,
            "due_at": now,
        }
        if await self.jobs.move(job["_id"], POLL_LATER, fields, owner=owner):
            await self.outcomes.audit.append(
                job["account_id"], "upload_uncertain", post_id=job["post_id"], reason=why
            )

    async def tampered(self, job: Job, owner: str, upload: Upload, found: str) -> None:
        """Someone else's bytes are in this upload: nothing more is sent; a person must look."""
        UPLOADS_TAMPERED.add(1)
        detail = {"post_id": job["post_id"], "publish_id": job.get("publish_id"), "found": found}
        logger.error("upload tampered with", extra={"fields": {"job": job["_id"], **detail}})
        await self.outcomes.audit.append(
            job["account_id"], "upload_tampered", sent=int(upload.get("sent") or 0), **detail
        )
        await self.outcomes.finish(job, JobStatus.PROCESSING, "UNKNOWN", TAMPERED, owner=owner)

    async def begin_again(self, job: Job, owner: str, why: str, ledger: Ledger) -> None:
        if ledger.final_may_have_arrived:
            await self.follow(job, owner, f"TikTok's upload URL {why} after the last chunk")
            return
        again = int(job.get("started_again") or 0)
        reason = f"TikTok's upload URL {why} before the upload ended; nothing was published"
        if not await self.within(
            job, owner, again + 1, self.settings.tiktok_failure_retries, reason, ledger
        ):
            return
        await self.outcomes.start_again(
            job,
            self.clock.now() + timedelta(seconds=1),
            f"TikTok's upload URL {why}: uploading again",
            f"TikTok's upload URL {why} before the upload ended; nothing was posted",
            owner=owner,
        )
