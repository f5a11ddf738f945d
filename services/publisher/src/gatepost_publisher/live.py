"""The live link, always and exactly. After PUBLISH_COMPLETE a public post's id often comes
minutes, sometimes hours later (after TikTok's moderation): the webhook
`post.publish.publicly_available` brings it first; meanwhile its status is polled with pauses that
double up to an hour, for up to `live_follow_s`, each poll due in the database, holding no worker.
The id stays a string of TikTok's digits (it exceeds 2^53). `no_longer_publicaly_available`
marks the post taken down, with its time."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from gatepost_common.clock import Clock
from gatepost_common.mongo import Document
from gatepost_common.passes import every
from gatepost_common.tiktok import TikTokClient
from gatepost_publisher.calls import CallFailed, NotYet
from gatepost_publisher.domain import Handling
from gatepost_publisher.lifecycle import Job
from gatepost_publisher.livestore import LiveStore
from gatepost_publisher.outcomes import Outcomes
from gatepost_publisher.ports import Calls, JobStore
from gatepost_publisher.reading_plan import next_read
from gatepost_publisher.reporting import live_link
from gatepost_publisher.settings import Settings

logger = logging.getLogger(__name__)
CLAIM = timedelta(seconds=120)  # a claimed watch is not polled by another replica meanwhile


def public_ids(status: Document) -> list[str]:
    """status/fetch's `publicaly_available_post_id` (int64 JSON numbers, parsed exactly by
    Python's json as int) as TikTok's digits."""
    return [str(i) for i in status.get("publicaly_available_post_id") or []]


@dataclass
class LiveLinks:
    settings: Settings
    store: LiveStore
    jobs: JobStore
    calls: Calls
    tiktok: TikTokClient
    outcomes: Outcomes
    clock: Clock

    async def follow(self, job: Job) -> None:
        """PUBLISH_COMPLETE for everyone, no public id yet: await it."""
        first = timedelta(seconds=self.settings.live_poll_first_s)
        fields = {"since": self.clock.now()}
        await self.store.follow(job["_id"], fields, self.clock.now() + first)

    async def went_live(self, job: Job, public_id: str, *, settled: bool = False) -> None:
        """TikTok gave the public id (webhook or poll): the link, the numbers' plan, once.
        `settled`: it came with the outcome, which stored it on the job; no watch was made."""
        now = self.clock.now()
        link = live_link(job, public_id)
        approved = job["approved"]
        photos = approved.get("photo_urls") or []
        await self.store.went_live(
            job["post_id"],
            public_id,
            {
                "job_id": job["_id"],
                "account_id": job["account_id"],
                "user_id": approved["user_id"],
                "title": approved.get("title"),
                "cover_url": photos[int(approved.get("cover_index") or 0)] if photos else None,
                "link": link,
                "went_live_at": now,
                "next_read_at": next_read(now, 0),
                "reads": 0,
            },
        )
        if not settled:
            await self.store.unwatch(job["_id"])
        await self.outcomes.went_live(job, public_id, recorded=settled)

    async def taken_down(self, job: Job, public_id: str) -> None:
        if await self.store.taken_down(public_id, self.clock.now()):
            await self.outcomes.audit.append(
                job["account_id"], "taken_down", post_id=job["post_id"], public_id=public_id
            )

    async def run(self) -> None:
        """Poll due watches, until cancelled."""
        await every(
            self.settings.worker_interval_s,
            self.poll_due,
            logger,
            "following live links failed; trying again",
        )

    async def poll_due(self) -> int:
        watches = await self.store.claim_due(self.clock.now(), CLAIM)
        for watch in watches:
            job = await self.jobs.get(watch["_id"])
            ended_otherwise = job is not None and job.get("result") not in (
                None,
                "PUBLISH_COMPLETE",
            )
            if job is None or job.get("post_ids") or ended_otherwise:
                await self.store.unwatch(watch["_id"])
                continue
            await self.poll(job, watch)
        return len(watches)

    async def poll(self, job: Job, watch: Document) -> None:
        now, polls = self.clock.now(), int(watch.get("polls") or 0)
        if now - watch["since"] > timedelta(seconds=self.settings.live_follow_s):
            await self.store.unwatch(job["_id"])  # flagged already, by the visibility check
            return
        try:
            status = await self.calls.call(
                job["account_id"],
                job["approved"]["user_id"],
                "status_fetch",
                lambda token: self.tiktok.publish_status(token, job.get("publish_id") or ""),
                post_id=job["post_id"],
            )
        except NotYet as not_yet:
            await self.store.again(job["_id"], now + not_yet.wait, polls)
            return
        except CallFailed as failure:
            if failure.handling is Handling.FAIL:  # the publish_id is not this token's any more
                await self.store.unwatch(job["_id"])
                return
            await self.store.again(job["_id"], self.next_poll(now, polls + 1), polls + 1)
            return
        if ids := public_ids(status):
            await self.went_live(job, ids[0])
            return
        await self.store.again(job["_id"], self.next_poll(now, polls + 1), polls + 1)

    def next_poll(self, now: datetime, polls: int) -> datetime:
        s = self.settings
        return now + timedelta(seconds=min(s.live_poll_first_s * 2**polls, s.live_poll_max_s))
