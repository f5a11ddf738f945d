"""FILE_UPLOAD: after video/init gave an upload URL, the approved video goes to TikTok in
sequential chunks (`PUT` with `Content-Range`), read a chunk at a time from media's URL.

The upload resumes where TikTok's answers say it stands (206 and 416 carry `Content-Range`), so a
chunk cut off mid-way, a worker that died, or a passing error costs a chunk, never a second post:
nothing is processed by TikTok before the last byte arrives. The bytes are hashed as they are read
and the last chunk is sent only if the whole file is the one approved. An upload URL that expired
(an hour) or was dropped by TikTok is begun again with a new init; the unfinished one is never
processed."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import timedelta

import httpx

from gatepost_common.clock import Clock
from gatepost_common.events import PostApproved, Video
from gatepost_common.tiktok import TikTokClient
from gatepost_common.tiktok_chunks import chunk_range
from gatepost_publisher.adapters import VideoUnreadable
from gatepost_publisher.lifecycle import POLL_LATER, Job, JobStatus, Schedule, Upload
from gatepost_publisher.outcomes import Outcomes
from gatepost_publisher.ports import JobStore, VideoSource
from gatepost_publisher.settings import Settings

CHANGED = "the video is not the one approved (its bytes changed): nothing was published"
# TikTok's upload URL is valid for an hour: an upload resumed later than this begins again
URL_LIFETIME = timedelta(minutes=55)


class ChunkNotTaken(Exception):
    """TikTok did not take a chunk after every try in this step."""


@dataclass
class Uploading:
    settings: Settings
    jobs: JobStore
    tiktok: TikTokClient
    videos: VideoSource
    outcomes: Outcomes
    clock: Clock
    schedule: Schedule

    async def step(self, job: Job, owner: str) -> None:
        """Send what TikTok does not hold yet; then the job is followed as any other."""
        video = PostApproved.model_validate(job["approved"]).video
        assert video is not None  # only a video job carries an upload
        upload = job.get("upload")
        assert upload is not None  # following hands over only a job with an upload to send
        issued = upload.get("issued_at")
        if issued is not None and self.clock.now() - issued > URL_LIFETIME:
            await self.begin_again(job, owner, "expired")
            return
        try:
            outcome = await self.send(video, upload)
        except VideoUnreadable as unreadable:
            await self.give_up(job, owner, str(unreadable))
            return
        except ChunkNotTaken as failure:  # resumed from here in a while
            due = self.schedule.next_retry(self.clock.now(), int(job.get("retries") or 0) + 3)
            retries = int(job.get("retries") or 0) + 1
            reason = f"TikTok kept refusing the upload ({failure}); nothing was published"
            if await self.within(job, owner, retries, self.settings.max_retries, reason):
                fields = {"due_at": due, "retries": retries, "upload": upload}
                await self.jobs.move(job["_id"], POLL_LATER, fields, owner=owner)
            return
        if outcome == "complete":
            now = self.clock.now()
            fields = {
                "upload": {**upload, "done": True},
                "processing_since": now,
                "due_at": self.schedule.next_poll(now, 0),
            }
            if await self.jobs.move(job["_id"], POLL_LATER, fields, owner=owner):
                await self.outcomes.progress(job, "processing")
        elif outcome == "changed":
            await self.outcomes.finish(job, JobStatus.PROCESSING, "FAILED", CHANGED, owner=owner)
        else:  # the upload URL is gone: a new init, the unfinished upload is never processed
            await self.begin_again(job, owner, outcome)

    async def send(self, video: Video, upload: Upload) -> str:
        """Read the video from the start (hashing it), put each chunk TikTok lacks. Returns
        "complete", "changed", or why the upload URL cannot be used ("expired", "gone")."""
        size, chunk, count = video.size, int(upload["chunk"]), int(upload["count"])
        for _ in range(3):  # TikTok's answer may move the position once or twice
            if int(upload.get("held") or 0) >= size:
                return "complete"  # TikTok took the last chunk; its answer was lost
            digest, resync = hashlib.sha256(), False
            for index in range(count):
                first, last = chunk_range(size, chunk, count, index)
                data = await self.videos.read(video.url, first, last, size)
                digest.update(data)
                if last < int(upload.get("held") or 0):
                    continue  # TikTok holds it already
                if index == count - 1 and digest.hexdigest() != video.sha256:
                    return "changed"
                status, held = await self.put(upload, data, first, video)
                if status in (403, 404):
                    return "expired" if status == 403 else "gone"
                if held >= 0:
                    upload["held"] = held
                if status == 201:
                    return "complete"
                if status == 416:  # out of step: begin again from what TikTok says it holds
                    resync = True
                    break
                if status != 206:
                    raise ChunkNotTaken(f"HTTP {status} for bytes {first}-{last}")
            if not resync:
                raise ChunkNotTaken("TikTok did not confirm the last chunk")
        raise ChunkNotTaken("TikTok's upload position kept moving")

    async def put(self, upload: Upload, data: bytes, first: int, video: Video) -> tuple[int, int]:
        """One chunk, tried again on a cut connection or a server error."""
        pause = 0.5
        for attempt in range(1, self.settings.upload_chunk_tries + 1):
            try:
                status, held = await self.tiktok.put_chunk(
                    upload["url"], data, first, video.size, video.mime
                )
            except httpx.HTTPError:
                status, held = 0, -1
            if status and status < 500:
                return status, held
            if attempt < self.settings.upload_chunk_tries:
                await asyncio.sleep(pause)
                pause *= 2
        raise ChunkNotTaken(f"no answer for bytes {first}- after {attempt} tries")

    async def give_up(self, job: Job, owner: str, reason: str) -> None:
        """Nothing was published, for a reason that may pass: a person may publish it again."""
        await self.outcomes.finish(
            job, JobStatus.PROCESSING, "FAILED", reason, owner=owner, retryable=True
        )

    async def within(self, job: Job, owner: str, tries: int, most: int, reason: str) -> bool:
        """True while `tries` is at most `most`; past it the post fails with `reason`."""
        if tries <= most:
            return True
        await self.give_up(job, owner, reason)
        return False

    async def begin_again(self, job: Job, owner: str, why: str) -> None:
        again = int(job.get("started_again") or 0)
        reason = f"TikTok's upload URL {why} before the upload ended; nothing was published"
        if not await self.within(
            job, owner, again + 1, self.settings.tiktok_failure_retries, reason
        ):
            return
        await self.outcomes.start_again(
            job,
            self.clock.now() + timedelta(seconds=1),
            f"TikTok's upload URL {why}: uploading again",
            f"TikTok's upload URL {why} before the upload ended; nothing was posted",
            owner=owner,
        )
