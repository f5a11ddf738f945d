"""Use cases: take in a signed approval, and publish one job through TikTok exactly once."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from faststream.kafka import KafkaBroker

from gatepost_common import signing
from gatepost_common.audit import AuditLog
from gatepost_common.events import (
    CloudEvent,
    PostApproved,
    PostPublished,
    PublishStatus,
    envelope,
)
from gatepost_common.kafka import PoisonMessage, publish_event
from gatepost_common.tiktok import TikTokClient, TikTokError
from gatepost_publisher.adapters import AuthClient, MongoJobRepository
from gatepost_publisher.settings import Settings

logger = logging.getLogger(__name__)
SOURCE = "gatepost/publisher"
TERMINAL = ("PUBLISH_COMPLETE", "SEND_TO_USER_INBOX", "FAILED")


class PermanentFailure(Exception):
    """The job can never succeed as approved; the message is the reason the queue shows."""


@dataclass
class Publisher:
    settings: Settings
    jobs: MongoJobRepository
    audit: AuditLog
    broker: KafkaBroker
    auth: AuthClient
    tiktok: TikTokClient

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
        due = approved.publish_after or datetime.now(UTC)
        stored = await self.jobs.add(
            {
                "_id": approved.post_id,
                "account_id": approved.account_id,
                "due_at": due,
                "approved": approved.model_dump(mode="json"),
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
        the job becomes UNKNOWN for a person to resolve."""
        for job in await self.jobs.orphaned_attempts():
            await self.finish(
                job,
                "initiating",
                status="UNKNOWN",
                fail_reason="crashed during content/init; check the TikTok profile",
            )

    async def run(self) -> None:
        await self.recover()
        while True:
            try:
                job = await self.jobs.claim_due(timedelta(seconds=self.settings.lease_s))
                if job is None:
                    await asyncio.sleep(self.settings.worker_interval_s)
                    continue
                await self.publish_job(job)
            except Exception:
                logger.exception("publishing pass failed; the job's lease will expire and retry")
                await asyncio.sleep(self.settings.worker_interval_s)

    async def publish_job(self, job: dict[str, Any]) -> None:
        try:
            if job["status"] == "queued":
                started = await self.start(job)
                if started is None:
                    return
                job = started
            await self.follow(job)
        except PermanentFailure as failure:
            await self.finish(job, job["status"], status="FAILED", fail_reason=str(failure))

    async def start(self, job: dict[str, Any]) -> dict[str, Any] | None:
        approved = PostApproved.model_validate(job["approved"])
        account = approved.account_id
        token = await self.auth.access_token(account)
        creator = await self.call(account, "creator_info", self.tiktok.creator_info(token))
        if creator.get("posting_blocked"):
            await self.defer(
                job, f"TikTok says the creator cannot post now: {creator['posting_blocked']}"
            )
            return None
        if approved.options.privacy_level not in creator.get("privacy_level_options", []):
            raise PermanentFailure(
                f"privacy level {approved.options.privacy_level} is no longer offered by this "
                "account"
            )
        bad = [
            u
            for u in approved.photo_urls
            if not any(u.startswith(p) for p in self.settings.verified_url_prefixes)
        ]
        if bad:
            raise PermanentFailure(f"photo URL outside the verified prefixes: {bad[0]}")
        # Record the attempt before calling: a crash now leaves a visible trace, not a repost.
        await self.jobs.update(
            approved.post_id, "queued", {"status": "initiating", "attempt_at": datetime.now(UTC)}
        )
        post_info = {
            "title": approved.title,
            "description": approved.description,
            **approved.options.model_dump(),
        }
        publish_id = await self.call(
            account,
            "content_init",
            self.tiktok.init_photo_post(
                token,
                post_mode=self.settings.post_mode,
                post_info=post_info,
                photo_urls=approved.photo_urls,
                cover_index=approved.cover_index,
            ),
            initiating=approved.post_id,
        )
        await self.jobs.update(
            approved.post_id, "initiating", {"status": "processing", "publish_id": publish_id}
        )
        return {**job, "status": "processing", "publish_id": publish_id}

    async def defer(self, job: dict[str, Any], reason: str) -> None:
        """Not now, not never: the job waits for the next window (issue 7 makes it smarter)."""
        due = datetime.now(UTC) + timedelta(seconds=self.settings.defer_s)
        await self.jobs.update(
            job["_id"], "queued", {"due_at": due, "lease_until": None, "deferred_reason": reason}
        )
        await self.audit.append(
            job["account_id"], "deferred", post_id=job["_id"], reason=reason, until=due.isoformat()
        )

    async def follow(self, job: dict[str, Any]) -> None:
        account = job["account_id"]
        while True:
            token = await self.auth.access_token(account)
            status = await self.call(
                account, "status_fetch", self.tiktok.publish_status(token, job["publish_id"])
            )
            if status.get("status") in TERMINAL:
                await self.finish(
                    job,
                    "processing",
                    status=status["status"],
                    fail_reason=status.get("fail_reason") or None,
                    post_ids=[str(i) for i in status.get("publicaly_available_post_id", [])],
                )
                return
            await asyncio.sleep(self.settings.status_poll_interval_s)

    async def call(
        self, account: str, endpoint: str, request: Any, initiating: str | None = None
    ) -> Any:
        started = datetime.now(UTC)
        try:
            result = await request
        except TikTokError as error:
            await self.audit.append(
                account,
                "tiktok_call",
                endpoint=endpoint,
                code=error.code,
                http_status=error.http_status,
                log_id=error.log_id,
                ms=_ms_since(started),
            )
            if initiating:
                # init answered with an error: nothing was posted, so the job may end cleanly
                await self.jobs.update(initiating, "initiating", {"status": "queued"})
            raise PermanentFailure(f"TikTok refused {endpoint}: {error}") from None
        await self.audit.append(
            account, "tiktok_call", endpoint=endpoint, code="ok", ms=_ms_since(started)
        )
        return result

    async def finish(
        self,
        job: dict[str, Any],
        expected: str,
        *,
        status: PublishStatus,
        fail_reason: str | None,
        post_ids: list[str] | None = None,
    ) -> None:
        approved = job["approved"]
        done = await self.jobs.update(
            job["_id"],
            expected,
            {
                "status": "done",
                "result": status,
                "fail_reason": fail_reason,
                "finished_at": datetime.now(UTC),
            },
        )
        if not done:  # another replica or a webhook finished it first
            return
        outcome = PostPublished(
            post_id=job["_id"],
            account_id=job["account_id"],
            publish_id=job.get("publish_id"),
            status=status,
            fail_reason=fail_reason,
            post_ids=post_ids or [],
            privacy_level=approved["options"]["privacy_level"],
        )
        await self.audit.append(
            job["account_id"],
            "outcome",
            post_id=job["_id"],
            status=status,
            fail_reason=fail_reason,
            publish_id=job.get("publish_id"),
        )
        await publish_event(
            self.broker, envelope(outcome, source=SOURCE, subject=job["_id"]), key=job["_id"]
        )


def _ms_since(started: datetime) -> int:
    return int((datetime.now(UTC) - started).total_seconds() * 1000)
