"""Use cases: take in a signed approval, and publish one job through TikTok exactly once, within
the daily cap and TikTok's limits."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from faststream.kafka import KafkaBroker

from gatepost_common import signing
from gatepost_common.audit import AuditLog
from gatepost_common.clock import Clock
from gatepost_common.events import (
    CloudEvent,
    PostApproved,
    PostPublished,
    PublishStatus,
    envelope,
    parse,
)
from gatepost_common.kafka import PoisonMessage, publish_event
from gatepost_common.metrics import (
    POSTS_DEFERRED,
    POSTS_FAILED,
    POSTS_PUBLISHED,
    PUBLISH_DURATION,
)
from gatepost_common.telemetry import current_trace, stored_trace, tracer
from gatepost_common.tiktok import TikTokClient
from gatepost_publisher.adapters import MongoJobRepository
from gatepost_publisher.calls import CallFailed, TikTokCalls
from gatepost_publisher.domain import CapWindow, Handling
from gatepost_publisher.limits import DailyCap
from gatepost_publisher.settings import Settings

logger = logging.getLogger(__name__)
SOURCE = "gatepost/publisher"
TERMINAL = ("PUBLISH_COMPLETE", "SEND_TO_USER_INBOX", "FAILED")


def counted_outcome(status: PublishStatus, approved_at: str) -> None:
    """Count a final status, and the time since the person approved the post (wall clock, as
    the approval service stamped it)."""
    since = (datetime.now(UTC) - datetime.fromisoformat(approved_at)).total_seconds()
    PUBLISH_DURATION.record(since, {"status": status})
    if status in ("PUBLISH_COMPLETE", "SEND_TO_USER_INBOX"):
        POSTS_PUBLISHED.add(1, {"status": status})
    else:
        POSTS_FAILED.add(1, {"stage": "publishing", "status": status})


class Stop(Exception):
    """The job left the publishing path (deferred, failed or finished): stop working on it."""


@dataclass
class Publisher:
    settings: Settings
    jobs: MongoJobRepository
    audit: AuditLog
    broker: KafkaBroker
    calls: TikTokCalls
    tiktok: TikTokClient
    cap: DailyCap
    clock: Clock

    async def on_post_approved(self, event: CloudEvent[PostApproved]) -> None:
        approved = event.data
        if not signing.verify(self.settings.approval_public_key, approved.model_dump(mode="json")):
            await self.audit.append(
                approved.account_id,
                "intake_refused",
                post_id=approved.post_id,
                reason="bad signature",
                event_id=event.id,
            )
            raise PoisonMessage("post.approved signature does not verify with the approval key")
        stored = await self.jobs.add(
            {
                "_id": approved.post_id,
                "account_id": approved.account_id,
                "due_at": approved.publish_after or self.clock.now(),
                "approved": approved.model_dump(mode="json"),
                "trace": current_trace(),  # publishing continues this trace, later
                "publish_id": None,
                "event_id": event.id,
            }
        )
        if stored:
            await self.audit.append(
                approved.account_id, "intake", post_id=approved.post_id, event_id=event.id
            )

    async def recover(self) -> None:
        """After a crash between content/init and storing its publish_id, never post again:
        the job becomes UNKNOWN for a person to resolve. Only attempts whose replica's lease ran
        out count: another replica's attempt in progress is left alone."""
        for job in await self.jobs.orphaned_attempts(self.clock.now()):
            await self.finish(
                job,
                "initiating",
                "UNKNOWN",
                "the publisher stopped while TikTok was being asked to post: check "
                "the TikTok profile before posting again",
            )

    async def run(self) -> None:
        while True:
            try:
                await self.recover()  # every pass: any replica may have died mid-attempt
                await self.flush_outcomes()
                await self.check_visibility()
                job = await self.jobs.claim_due(timedelta(seconds=self.settings.lease_s))
                if job is None:
                    await asyncio.sleep(self.settings.worker_interval_s)
                    continue
                await self.publish_job(job)
            except Exception:
                logger.exception("publishing pass failed; the job's lease will expire and retry")
                await asyncio.sleep(self.settings.worker_interval_s)

    async def publish_job(self, job: dict[str, Any]) -> None:
        with tracer.start_as_current_span(
            "publish post",
            context=stored_trace(job.get("trace")),
            attributes={"gatepost.post_id": job["_id"]},
        ):
            try:
                if job["status"] == "queued":
                    job = await self.start(job)
                await self.follow(job)
            except Stop:
                return

    async def start(self, job: dict[str, Any]) -> dict[str, Any]:
        approved = PostApproved.model_validate(job["approved"])
        window = CapWindow.at(self.clock.now())
        if not await self.cap.reserve(approved.account_id, window.day, approved.post_id):
            await self.defer(
                job,
                window.next_start,
                f"the daily cap of {self.settings.daily_cap} posts is reached",
            )
        try:
            publish_id = await self.initiate(job, approved)
        except CallFailed as failure:
            await self.after_failed_start(job, window, failure)
            raise Stop from None
        except Stop:
            await self.cap.release(approved.account_id, window.day, approved.post_id)
            raise
        await self.jobs.update(
            approved.post_id,
            "initiating",
            {"status": "processing", "publish_id": publish_id, "cap_day": window.day, "polls": 0},
        )
        return {**job, "status": "processing", "publish_id": publish_id, "polls": 0}

    async def initiate(self, job: dict[str, Any], approved: PostApproved) -> str:
        account, user, post = approved.account_id, approved.user_id, approved.post_id
        # the approval is verified again right before posting, over exactly what is sent: a job
        # document changed after intake (anything that reached the database) posts nothing
        if not signing.verify(self.settings.approval_public_key, approved.model_dump(mode="json")):
            await self.audit.append(
                account, "refused", post_id=post, reason="the stored approval no longer verifies"
            )
            await self.fail(
                job,
                "queued",
                "the approval's signature does not match what was about to be posted: the job "
                "was changed after it was approved; nothing was sent to TikTok",
            )
        creator = await self.calls.call(
            account, user, "creator_info", self.tiktok.creator_info, post_id=post
        )
        if creator.get("posting_blocked"):
            await self.defer(
                job,
                self.clock.now() + timedelta(seconds=self.settings.defer_blocked_s),
                f"TikTok: {creator['posting_blocked']}",
            )
        if approved.options.privacy_level not in creator.get("privacy_level_options", []):
            await self.fail(
                job,
                "queued",
                f"privacy level {approved.options.privacy_level} is "
                "no longer offered by this account",
            )
        outside = [
            u
            for u in approved.photo_urls
            if not any(u.startswith(p) for p in self.settings.verified_url_prefixes)
        ]
        if outside:
            await self.fail(
                job, "queued", f"a photo URL is outside the verified prefixes: {outside[0]}"
            )
        # Record the attempt before calling: a crash now leaves a visible trace, not a repost.
        # The lease is taken afresh: only when it runs out is the attempt another's to resolve.
        now = self.clock.now()
        lease = timedelta(seconds=self.settings.lease_s)
        if not await self.jobs.update(
            post, "queued", {"status": "initiating", "attempt_at": now, "lease_until": now + lease}
        ):
            raise Stop
        inbox = account in self.settings.inbox_accounts
        info: dict[str, Any] = {"title": approved.title, "description": approved.description}
        if not inbox:
            info |= approved.options.model_dump()

        async def init(token: str) -> str:
            return await self.tiktok.init_photo_post(
                token,
                post_mode="MEDIA_UPLOAD" if inbox else "DIRECT_POST",
                post_info=info,
                photo_urls=approved.photo_urls,
                cover_index=approved.cover_index,
            )

        return await self.calls.call(
            account, user, "content_init", init, post_id=post, repeatable=False
        )

    async def after_failed_start(
        self, job: dict[str, Any], window: CapWindow, failure: CallFailed
    ) -> None:
        account = job["account_id"]
        if failure.uncertain:  # TikTok may have posted: never ask again, let a person check
            await self.finish(
                job,
                "initiating",
                "UNKNOWN",
                f"{failure.reason}; TikTok may have posted it anyway: check the TikTok profile "
                "before posting again",
            )
            return
        await self.cap.release(account, window.day, job["_id"])
        current = await self.jobs.get(job["_id"])
        status = current["status"] if current else "queued"
        if failure.code == "needs_reauth":  # looked at again soon: reconnecting is quick
            later = self.clock.now() + timedelta(seconds=self.settings.reconnect_check_s)
            await self.defer(job, later, failure.reason, expected=status)
        elif failure.handling is Handling.DEFER:
            await self.defer(job, window.next_start, failure.reason, expected=status)
        elif failure.handling is Handling.RETRY:
            later = self.clock.now() + timedelta(seconds=60)
            await self.defer(
                job,
                later,
                f"TikTok is unavailable: {failure.reason}",
                expected=status,
                kind="retry_later",
            )
        else:
            await self.fail(job, status, failure.reason, stop=False)

    async def follow(self, job: dict[str, Any]) -> None:
        """Poll status/fetch with growing pauses (inside the 30/min limit) until it settles."""
        account, user = job["account_id"], job["approved"]["user_id"]
        polls = int(job.get("polls") or 0)
        while True:
            current = await self.jobs.get(job["_id"])
            if current is None or current["status"] != "processing":
                return  # a webhook settled it meanwhile
            try:
                status = await self.calls.call(
                    account,
                    user,
                    "status_fetch",
                    lambda token: self.tiktok.publish_status(token, job["publish_id"]),
                    post_id=job["_id"],
                )
            except CallFailed as failure:
                if failure.handling is Handling.FAIL:
                    await self.finish(current, "processing", "UNKNOWN", failure.reason)
                    return
                raise  # transient: the lease expires and the loop comes back
            if status.get("status") in TERMINAL:
                await self.settle(
                    current,
                    status["status"],
                    status.get("fail_reason") or None,
                    [str(i) for i in status.get("publicaly_available_post_id", [])],
                )
                return
            polls += 1
            await self.jobs.update(job["_id"], "processing", {"polls": polls})
            await asyncio.sleep(
                min(
                    self.settings.status_poll_interval_s * 1.5 ** min(polls, 10),
                    self.settings.status_poll_max_interval_s,
                )
            )

    async def settle(
        self, job: dict[str, Any], status: PublishStatus, reason: str | None, post_ids: list[str]
    ) -> None:
        """A terminal TikTok status, from polling or a webhook: applied once."""
        if status == "FAILED" and job.get("cap_day"):
            await self.cap.release(job["account_id"], job["cap_day"], job["_id"])
        await self.finish(job, "processing", status, reason, post_ids)
        public = job["approved"]["options"]["privacy_level"] == "PUBLIC_TO_EVERYONE"
        if status == "PUBLISH_COMPLETE" and public and not post_ids:
            due = self.clock.now() + timedelta(seconds=self.settings.public_grace_s)
            await self.jobs.watch_visibility(job["_id"], due)

    async def check_visibility(self) -> None:
        """Flag posts approved for everyone that TikTok has not made public (e.g. kept them
        SELF_ONLY, as it does for sandbox or unaudited apps): a person should look."""
        for job in await self.jobs.visibility_due(self.clock.now()):
            if job.get("post_ids"):
                await self.jobs.stop_watching(job["_id"])
                continue
            flag = (
                "approved for everyone, but TikTok has not made it public: it may have been "
                "posted as private (SELF_ONLY)"
            )
            await self.jobs.flag(job["_id"], flag)
            await self.audit.append(job["account_id"], "flagged", post_id=job["_id"], flag=flag)

    async def defer(
        self,
        job: dict[str, Any],
        until: datetime,
        reason: str,
        *,
        expected: str = "queued",
        kind: str = "deferred",
    ) -> None:
        """Not now, not never: the job waits for `until`, visibly."""
        await self.jobs.update(
            job["_id"],
            expected,
            {"status": "queued", "due_at": until, "lease_until": None, "deferred_reason": reason},
        )
        await self.audit.append(
            job["account_id"],
            kind,
            post_id=job["_id"],
            reason=reason,
            until=until.astimezone(UTC).isoformat(),
        )
        POSTS_DEFERRED.add(1, {"kind": kind})
        raise Stop

    async def fail(
        self, job: dict[str, Any], expected: str, reason: str, *, stop: bool = True
    ) -> None:
        await self.finish(job, expected, "FAILED", reason)
        if stop:
            raise Stop

    async def finish(
        self,
        job: dict[str, Any],
        expected: str,
        status: PublishStatus,
        reason: str | None,
        post_ids: list[str] | None = None,
    ) -> None:
        approved = job["approved"]
        current = await self.jobs.get(job["_id"])
        publish_id = (current or job).get("publish_id")
        outcome = PostPublished(
            post_id=job["_id"],
            account_id=job["account_id"],
            publish_id=publish_id,
            status=status,
            fail_reason=reason,
            post_ids=post_ids or [],
            privacy_level=approved["options"]["privacy_level"],
        )
        event = envelope(outcome, source=SOURCE, subject=job["_id"])
        done = await self.jobs.update(
            job["_id"],
            expected,
            {
                "status": "done",
                "result": status,
                "fail_reason": reason,
                "finished_at": self.clock.now(),
                "lease_until": None,
                # the outcome event rides with the state change (outbox): Kafka may be down now
                "outcome_event": event.model_dump_json(),
                "outcome_pending": True,
            },
        )
        if not done:  # another replica or a webhook finished it first
            return
        counted_outcome(status, approved["approved_at"])
        if post_ids:  # added, never overwritten: a webhook may have brought some already
            await self.jobs.add_post_ids(job["_id"], post_ids)
        await self.audit.append(
            job["account_id"],
            "outcome",
            post_id=job["_id"],
            status=status,
            fail_reason=reason,
            publish_id=publish_id,
        )
        await self.flush_outcomes()

    async def flush_outcomes(self) -> None:
        """Emit stored outcomes that Kafka has not acknowledged yet."""
        for pending in await self.jobs.pending_outcomes():
            event = parse(PostPublished, pending["outcome_event"].encode())
            try:
                await publish_event(self.broker, event, key=pending["_id"])
            except Exception:
                logger.warning("post.published not emitted yet; will retry")
                return
            await self.jobs.outcome_sent(pending["_id"])
