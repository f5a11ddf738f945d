"""The publisher's worker: up to `publish_concurrency` jobs at once per replica, each one step at a
time (hand a post to TikTok, or poll it once). A job that must wait (for TikTok, a rate-limit slot,
tomorrow's cap) stores when it is next due and frees its place. A worked job's lease is renewed,
so another replica never takes up a job that is still being worked."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from gatepost_common.clock import Clock
from gatepost_common.telemetry import stored_trace, tracer
from gatepost_publisher.following import Following
from gatepost_publisher.housekeeping import between_jobs
from gatepost_publisher.lifecycle import Job, JobStatus
from gatepost_publisher.outcomes import Outcomes
from gatepost_publisher.ports import JobStore
from gatepost_publisher.settings import Settings
from gatepost_publisher.starting import Starting

logger = logging.getLogger(__name__)
AFTER_ERROR = timedelta(seconds=5)  # a step that broke (a bug, the database away) is tried again


@dataclass
class Worker:
    settings: Settings
    jobs: JobStore
    starting: Starting
    following: Following
    outcomes: Outcomes
    clock: Clock
    owner: str = field(default_factory=lambda: f"publisher-{uuid.uuid4().hex[:12]}")
    idle_until: float = 0.0  # loop time before which no claim is tried (nothing was due)

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.settings.lease_s)

    async def run(self) -> None:
        running: set[asyncio.Task[None]] = set()
        checked = 0.0
        loop = asyncio.get_running_loop()
        try:
            while True:
                try:
                    if loop.time() - checked >= self.settings.worker_interval_s:
                        checked = loop.time()
                        await self.between_jobs()
                    await self.fill(running)
                except Exception:
                    logger.exception("publishing pass failed; trying again")
                if running:
                    _, running = await asyncio.wait(
                        running,
                        timeout=self.settings.worker_interval_s,
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                else:
                    await asyncio.sleep(self.settings.worker_interval_s)
        finally:
            for task in running:
                task.cancel()

    async def between_jobs(self) -> None:
        await between_jobs(self.outcomes)

    async def fill(self, running: set[asyncio.Task[None]]) -> None:
        """Claim due jobs, as many at once as there are free places, until the replica works
        `publish_concurrency` of them. After a claim found nothing due, the next is tried a
        `worker_interval_s` later, not after every step that ends (each claim is a query)."""
        loop = asyncio.get_running_loop()
        if loop.time() < self.idle_until:
            return
        while (free := self.settings.publish_concurrency - len(running)) > 0:
            claimed = await self.jobs.claim_due(self.owner, self.clock.now(), self.lease, free)
            if not claimed:
                self.idle_until = loop.time() + self.settings.worker_interval_s
                return
            running.update(asyncio.create_task(self.work(job)) for job in claimed)

    async def work(self, job: Job) -> None:
        with tracer.start_as_current_span(
            "publish post" if job["status"] == JobStatus.QUEUED else "poll publish status",
            context=stored_trace(job.get("trace")),
            attributes={"gatepost.post_id": job["post_id"], "gatepost.attempt": job["attempt"]},
        ):
            renewing = asyncio.create_task(self.keep_lease(job["_id"]))
            try:
                async with self.outcomes.audit.batched():  # a step's entries: one insert
                    await self.step(job)
            except Exception:
                logger.exception("a publishing step failed", extra={"fields": {"job": job["_id"]}})
                await self.after_error(job)
            finally:
                renewing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renewing

    async def step(self, job: Job) -> None:
        if job["status"] == JobStatus.QUEUED:
            await self.starting.step(job, self.owner)
        else:
            await self.following.step(job, self.owner)

    async def keep_lease(self, job_id: str) -> None:
        while True:
            await asyncio.sleep(self.settings.lease_s / 3)
            if not await self.jobs.renew(job_id, self.owner, self.clock.now() + self.lease):
                return  # the job left this worker's hands

    async def after_error(self, job: Job) -> None:
        """Give a broken step's job back, due again soon. A job whose content/init may be on its
        way is not given back: its lease runs out and it becomes UNKNOWN, never sent twice."""
        current = await self.jobs.get(job["_id"])
        if current is None or current["status"] not in (JobStatus.QUEUED, JobStatus.PROCESSING):
            return
        await self.outcomes.not_yet(
            current, JobStatus(current["status"]), AFTER_ERROR, owner=self.owner
        )
