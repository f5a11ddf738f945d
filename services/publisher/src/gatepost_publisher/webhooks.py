"""TikTok webhooks. The receiver verifies `TikTok-Signature` (`gatepost_common.hmac_signature`:
HMAC-SHA256 of "t.body" with the client secret, in constant time, within a tolerance) and writes
the delivery to `tiktok.webhook`, answering TikTok once Kafka holds it. The publisher reads that
topic for its `post.publish.*` events (auth reads it for `authorization.removed`): each is stored
once in the inbox (a delivery TikTok repeats is recognised by its bytes) and applied to its job;
one that cannot be applied yet is applied again later, with backoff."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from gatepost_common.clock import Clock
from gatepost_common.cloud_event import CloudEvent, envelope
from gatepost_common.events import TikTokWebhook
from gatepost_common.hmac_signature import BadSignature as BadSignature
from gatepost_common.hmac_signature import verify_signature as verify_signature
from gatepost_common.kafka import Emit
from gatepost_common.mongo import Document
from gatepost_common.passes import every
from gatepost_common.telemetry import stored_trace, tracer
from gatepost_publisher.following import Following
from gatepost_publisher.lifecycle import JobStatus
from gatepost_publisher.live import LiveLinks
from gatepost_publisher.ports import Audit, JobStore

logger = logging.getLogger(__name__)
REAPPLY_BASE_S, REAPPLY_MAX_S = 1.0, 300.0
PUBLISH_EVENTS = "post.publish."
# TikTok's current name and the older one's spelling; taken down keeps TikTok's misspelling
PUBLIC = ("post.publish.publicly_available", "post.publish.publicaly_available")
TAKEN_DOWN = (
    "post.publish.no_longer_publicaly_available",
    "post.publish.no_longer_publicly_available",
)

SETTLING = {
    "post.publish.complete": "PUBLISH_COMPLETE",
    "post.publish.failed": "FAILED",
    "post.publish.inbox_delivered": "SEND_TO_USER_INBOX",
}


async def forward(emit: Emit, body: bytes) -> None:
    """Hand a verified delivery on to `tiktok.webhook` (keyed by creator, so one creator's events
    stay in order), waiting for Kafka to hold it; ValueError when it is no TikTok event. The
    event's id is the digest of TikTok's bytes: the same delivery twice is the same event."""
    webhook = TikTokWebhook.received(body)
    event = envelope(webhook, source="gatepost/publisher", subject=webhook.user_openid)
    await emit(event.model_copy(update={"id": webhook.digest}), webhook.user_openid or "tiktok")


@dataclass
class WebhookInbox:
    db: AsyncDatabase[Document]
    jobs: JobStore
    following: Following
    audit: Audit
    clock: Clock
    live: LiveLinks | None = None

    async def on_webhook(self, event: CloudEvent[TikTokWebhook]) -> None:
        """A verified delivery from `tiktok.webhook`: stored, then applied (or kept to apply
        again later: the message is done either way, the inbox keeps what is left to do)."""
        webhook = event.data
        if not webhook.event.startswith(PUBLISH_EVENTS):
            return  # authorization.removed and the rest: auth's, or nobody's
        body = webhook.body.encode()
        if await self.receive(body):
            await self.apply(body)

    async def receive(self, body: bytes) -> bool:
        """Store the raw event once (dedupe by its bytes); True while it is still to apply (a
        redelivery of an event not applied yet is applied again)."""
        key = hashlib.sha256(body).hexdigest()
        try:
            await self.db["webhook_inbox"].insert_one(
                {
                    "_id": key,
                    "raw": body.decode("utf-8", "replace"),
                    "received_at": self.clock.now(),
                    "applied": False,
                    "attempts": 0,
                    "next_attempt_at": self.clock.now(),
                }
            )
            return True
        except DuplicateKeyError:
            stored = await self.db["webhook_inbox"].find_one({"_id": key})
            return stored is not None and not stored.get("applied")

    async def apply(self, body: bytes) -> bool:
        """Apply one stored event; False (and a later retry, with backoff) when it could not."""
        key = hashlib.sha256(body).hexdigest()
        try:
            webhook = TikTokWebhook.received(body)
            await self.apply_event(webhook.event, webhook.details())
        except Exception:
            logger.exception("webhook could not be applied yet; it is applied again later")
            stored = await self.db["webhook_inbox"].find_one({"_id": key}) or {}
            attempts = int(stored.get("attempts", 0)) + 1
            delay = timedelta(seconds=min(REAPPLY_BASE_S * 2**attempts, REAPPLY_MAX_S))
            await self.db["webhook_inbox"].update_one(
                {"_id": key},
                {"$set": {"attempts": attempts, "next_attempt_at": self.clock.now() + delay}},
            )
            return False
        await self.db["webhook_inbox"].update_one({"_id": key}, {"$set": {"applied": True}})
        return True

    async def ensure_indexes(self) -> None:
        await self.db["webhook_inbox"].create_index([("applied", 1), ("next_attempt_at", 1)])

    async def run(self, interval_s: float) -> None:
        """Apply again, until cancelled, what could not be applied when it arrived."""
        await every(
            interval_s, self.reapply_due, logger, "re-applying webhooks failed; trying again"
        )

    async def reapply_due(self) -> int:
        """Apply again the stored events whose application failed (the database away, a crash
        between storing and applying); returns how many were applied now."""
        cursor = (
            self.db["webhook_inbox"]
            .find({"applied": False, "next_attempt_at": {"$lte": self.clock.now()}})
            .limit(50)
        )
        applied = 0
        for stored in [doc async for doc in cursor]:
            applied += await self.apply(stored["raw"].encode())
        return applied

    async def apply_event(self, name: str, content: dict[str, Any]) -> None:
        job = await self.jobs.by_publish_id(str(content.get("publish_id", "")))
        if job is None:
            return
        await self.audit.append(
            job["account_id"],
            "webhook",
            event=name,
            post_id=job["post_id"],
            publish_id=job["publish_id"],
        )
        if name in PUBLIC:
            if self.live is not None:
                await self.live.went_live(job, str(content["post_id"]))
            else:
                await self.following.outcomes.went_live(job, str(content["post_id"]))
        elif name in TAKEN_DOWN and self.live is not None:
            await self.live.taken_down(job, str(content["post_id"]))
        elif name in SETTLING and job["status"] == JobStatus.PROCESSING:
            reason = content.get("reason") if name == "post.publish.failed" else None
            # settling belongs to the post's trace, not to TikTok's webhook request
            with tracer.start_as_current_span(
                "apply webhook",
                context=stored_trace(job.get("trace")),
                attributes={"gatepost.post_id": job["post_id"]},
            ):
                await self.following.settle(job, SETTLING[name], reason, [])  # type: ignore[arg-type]
