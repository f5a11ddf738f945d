"""FILE_UPLOAD: after video/init gave an upload URL, the approved video goes to TikTok in
sequential chunks (`PUT` with `Content-Range`), read a chunk at a time from media's URL.

The upload resumes where TikTok's answers say it stands (206 and 416 carry `Content-Range`), so a
chunk cut off mid-way, a worker that died, or a passing error costs a chunk, never a second post:
nothing is processed by TikTok before the last byte arrives. The bytes are hashed as they are read
and the last chunk is sent only if the whole file is the one approved. TikTok holding bytes the
publisher never sent is tampering (upload_ledger.py): the job ends UNKNOWN. An upload URL that
expired (an hour) or was dropped by TikTok is begun again with a new init, unless the last chunk
may have arrived: then TikTok may be processing it, and the job follows its publish_id instead."""

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
from gatepost_publisher.upload_endings import UploadEndings
from gatepost_publisher.upload_ledger import Ledger, Tampered

CHANGED = "the video is not the one approved (its bytes changed): nothing was published"
# TikTok's upload URL is valid for an hour: an upload resumed later than this begins again
URL_LIFETIME = timedelta(minutes=55)


class ChunkNotTaken(Exception):
    """TikTok did not take a chunk after every try in this step."""


class LeaseLost(Exception):
    """Another worker holds the job now: this step stops."""


@dataclass
class Uploading:
    settings: Settings
    jobs: JobStore
    tiktok: TikTokClient
    videos: VideoSource
    outcomes: Outcomes
    clock: Clock
    schedule: Schedule

    def __post_init__(self) -> None:
        self.ends = UploadEndings(self.settings, self.jobs, self.outcomes, self.clock)

    async def step(self, job: Job, owner: str) -> None:
        """Send what TikTok does not hold yet; then the job is followed as any other."""
        video = PostApproved.model_validate(job["approved"]).video
        assert video is not None  # only a video job carries an upload
        upload = job.get("upload")
        assert upload is not None  # following hands over only a job with an upload to send
        ledger = Ledger.of(upload, video.size)
        issued = upload.get("issued_at")
        if issued is not None and self.clock.now() - issued > URL_LIFETIME:
            await self.ends.begin_again(job, owner, "expired", ledger)
            return
        try:
            outcome = await self.send(job, owner, video, upload, ledger)
        except LeaseLost:
            return
        except Tampered as tampered:
            await self.ends.tampered(job, owner, upload, str(tampered))
            return
        except VideoUnreadable as unreadable:
            await self.ends.give_up(job, owner, str(unreadable), ledger)
            return
        except ChunkNotTaken as failure:  # resumed from here in a while
            due = self.schedule.next_retry(self.clock.now(), int(job.get("retries") or 0) + 3)
            retries = int(job.get("retries") or 0) + 1
            reason = f"TikTok kept refusing the upload ({failure}); nothing was published"
            if await self.ends.within(
                job, owner, retries, self.settings.max_retries, reason, ledger
            ):
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
        elif outcome == "changed" and not ledger.final_may_have_arrived:
            await self.outcomes.finish(job, JobStatus.PROCESSING, "FAILED", CHANGED, owner=owner)
        else:  # the upload URL is gone: a new init, the unfinished upload is never processed
            await self.ends.begin_again(job, owner, outcome, ledger)

    async def send(self, job: Job, owner: str, video: Video, upload: Upload, ledger: Ledger) -> str:
        """Read the video from the start (hashing it), put each chunk TikTok lacks. Returns
        "complete", "changed", or why the upload URL cannot be used ("expired", "gone")."""
        size, chunk, count = video.size, int(upload["chunk"]), int(upload["count"])
        for _ in range(3):  # TikTok's answer may move the position once or twice
            if ledger.confirmed >= size:
                return "complete"  # TikTok took the last chunk; its answer was lost
            digest, resync = hashlib.sha256(), False
            for index in range(count):
                first, last = chunk_range(size, chunk, count, index)
                data = await self.videos.read(video.url, first, last, size)
                digest.update(data)
                if last < ledger.confirmed:
                    continue  # TikTok holds it already
                if index == count - 1 and digest.hexdigest() != video.sha256:
                    return "changed"
                await self.record_sent(job, owner, upload, last + 1)
                status, held = await self.put(upload, data, first, video, ledger)
                if status in (403, 404):
                    return "expired" if status == 403 else "gone"
                upload["held"] = ledger.believe(status, held, last)
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

    async def record_sent(self, job: Job, owner: str, upload: Upload, end: int) -> None:
        """The job records how far its bytes went before they go (a crash loses no record)."""
        if end <= int(upload.get("sent") or 0):
            return
        upload["sent"] = end
        if not await self.jobs.note(job["_id"], owner, {"upload.sent": end}):
            raise LeaseLost(job["_id"])

    async def put(
        self, upload: Upload, data: bytes, first: int, video: Video, ledger: Ledger
    ) -> tuple[int, int]:
        """One chunk, tried again on a cut connection or a server error (either may have come
        after TikTok took the bytes: the ledger counts them as possibly delivered)."""
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
            ledger.lost(first + len(data) - 1)
            if attempt < self.settings.upload_chunk_tries:
                await asyncio.sleep(pause)
                pause *= 2
        raise ChunkNotTaken(f"no answer for bytes {first}- after {attempt} tries")
