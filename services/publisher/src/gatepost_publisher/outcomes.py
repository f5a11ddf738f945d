"""How a job ends or waits: the outcome recorded with its `post.published` event in one update (an
outbox, emitted now and again until Kafka takes it), the audit entry, the daily cap place given
back when nothing was posted; what happens meanwhile (post.progressed). The checks between jobs
that end or flag jobs: housekeeping.py."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from gatepost_common.clock import Clock
from gatepost_common.cloud_event import CloudEvent, envelope
from gatepost_common.events import PostProgressed, PostPublished, ProgressState, PublishStatus
from gatepost_common.kafka import Emit
from gatepost_common.metrics import POSTS_DEFERRED
from gatepost_publisher.lifecycle import START_AGAIN, Job, JobStatus, ending, waiting
from gatepost_publisher.ports import Audit, Cap, JobStore, Shares
from gatepost_publisher.reporting import SOURCE, counted_outcome, live_link, outcome_event
from gatepost_publisher.settings import Settings

logger = logging.getLogger(__name__)


@dataclass
class Outcomes:
    settings: Settings
    jobs: JobStore
    audit: Audit
    cap: Cap
    shares: Shares
    emit: Emit  # post.published, post.progressed
    clock: Clock
    sent: list[str] = field(default_factory=list)  # jobs whose outcome Kafka took, to mark

    async def wait(
        self,
        job: Job,
        source: JobStatus,
        until: datetime,
        reason: str,
        *,
        owner: str | None,
        kind: str = "deferred",
        fields: dict[str, Any] | None = None,
    ) -> bool:
        """Not now, not never: the job waits for `until`, visibly, holding no worker."""
        moved = await self.jobs.move(
            job["_id"],
            waiting(source),
            {"due_at": until, "deferred_reason": reason, **(fields or {})},
            owner=owner,
        )
        if moved:
            await self.audit.append(
                job["account_id"],
                kind,
                post_id=job["post_id"],
                reason=reason,
                until=until.astimezone(UTC).isoformat(),
            )
            POSTS_DEFERRED.add(1, {"kind": kind})
            await self.progress(job, "waiting", reason=reason, due_at=until)
        return moved

    async def progress(
        self,
        job: Job,
        state: ProgressState,
        *,
        reason: str | None = None,
        due_at: datetime | None = None,
        link: str | None = None,
    ) -> None:
        """Tell approval's queue what is happening to the post. Best effort: the next state
        supersedes a lost one, and the outcome itself goes through the outbox."""
        progressed = PostProgressed(
            post_id=job["post_id"],
            account_id=job["account_id"],
            attempt=job["attempt"],
            state=state,
            at=self.clock.now(),
            reason=reason,
            due_at=due_at,
            publish_id=job.get("publish_id"),
            link=link,
        )
        try:
            await self.emit(envelope(progressed, source=SOURCE, subject=job["post_id"]), job["_id"])
        except Exception:
            logger.warning("post.progressed not emitted", extra={"fields": {"job": job["_id"]}})

    async def start_again(
        self,
        job: Job,
        due: datetime,
        deferred_reason: str,
        audited_reason: str,
        *,
        owner: str | None,
    ) -> bool:
        """Nothing was posted: the same approval goes to TikTok again at `due`, with a new init
        (the earlier publish_id is kept beside the job, and the step is audited)."""
        moved = await self.jobs.move(
            job["_id"],
            START_AGAIN,
            {
                "due_at": due,
                "started_again": int(job.get("started_again") or 0) + 1,
                "publish_id": None,
                "upload": None,
                "earlier_publish_ids": [*job.get("earlier_publish_ids", []), job["publish_id"]],
                "deferred_reason": deferred_reason,
            },
            owner=owner,
        )
        if moved:
            await self.audit.append(
                job["account_id"],
                "retry_later",
                post_id=job["post_id"],
                reason=audited_reason,
                publish_id=job["publish_id"],
                until=due.isoformat(),
            )
        return moved

    async def not_yet(self, job: Job, source: JobStatus, wait: timedelta, *, owner: str) -> None:
        """Due again after `wait` (a rate-limit slot, the creator's init lock, a broken step):
        no event of the post's, so nothing is audited."""
        await self.jobs.move(
            job["_id"], waiting(source), {"due_at": self.clock.now() + wait}, owner=owner
        )

    async def finish(
        self,
        job: Job,
        source: JobStatus,
        status: PublishStatus,
        reason: str | None,
        *,
        owner: str | None = None,
        post_ids: list[str] | None = None,
        retryable: bool = False,
        visibility_due: datetime | None = None,
    ) -> bool:
        """Record the outcome once (False: someone else recorded one first). `visibility_due`:
        when to flag a post approved for everyone that TikTok has not made public by then, set
        in the same update."""
        publish_id = job.get("publish_id")
        event = outcome_event(job, status, reason, post_ids or [], retryable)
        done = await self.jobs.move(
            job["_id"],
            ending(source),
            {
                "result": status,
                "fail_reason": reason,
                "retryable": retryable,
                "publish_id": publish_id,
                "finished_at": self.clock.now(),
                # the outcome event rides with the state change (outbox): Kafka may be down now
                "outcome_event": event.model_dump_json(),
                "outcome_pending": True,
                **({"visibility_due": visibility_due} if visibility_due else {}),
            },
            owner=owner,
            post_ids=post_ids,  # added, never overwritten: a webhook may have brought some
        )
        if not done:
            return False
        nothing_posted = status in ("FAILED", "WITHDRAWN")
        if nothing_posted and job.get("cap_at"):  # the place is free
            await self.cap.release(job["creator"], job["_id"])
        if nothing_posted and job.get("inbox_share"):  # no draft is pending
            await self.shares.release(job["_id"])
        counted_outcome(status, job["approved"]["approved_at"])
        await self.audit.append(
            job["account_id"],
            "outcome",
            post_id=job["post_id"],
            attempt=job["attempt"],
            status=status,
            fail_reason=reason,
            publish_id=publish_id,
        )
        await self.send(job["_id"], event)
        return True

    async def send(self, job_id: str, event: CloudEvent[PostPublished]) -> bool:
        try:
            await self.emit(event, job_id)
        except Exception:
            logger.warning("post.published not emitted yet; it is sent again later")
            return False
        self.sent.append(job_id)
        return True

    async def mark_sent(self) -> None:
        """Mark the outcomes Kafka took since the last time, in one update (between jobs, well
        before another replica's `flush` would send them again; a crash before it sends them
        once more, as a crash right after emitting always could: consumers take an outcome once
        by its post and attempt)."""
        if not self.sent:
            return
        marked, self.sent = self.sent, []
        try:
            await self.jobs.outcomes_sent(marked)
        except Exception:
            self.sent = marked + self.sent
            raise

    async def went_live(self, job: Job, post_id: str, *, recorded: bool = False) -> None:
        """TikTok gave the public post's id (often minutes after PUBLISH_COMPLETE); `recorded`:
        the job's outcome stored it already."""
        if not recorded:
            await self.jobs.add_post_ids(job["_id"], [post_id])
        await self.progress(job, "live", link=live_link(job, post_id))
