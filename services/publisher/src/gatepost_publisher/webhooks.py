"""TikTok webhooks: verify `TikTok-Signature` (HMAC-SHA256 of "t.body" with the client secret,
compared in constant time, within a timestamp tolerance), store each raw event once, answer at
once, and apply it to its job in the background."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from gatepost_common.clock import Clock
from gatepost_common.mongo import Document
from gatepost_common.telemetry import stored_trace, tracer
from gatepost_publisher.adapters import AuthClient
from gatepost_publisher.following import Following
from gatepost_publisher.lifecycle import JobStatus
from gatepost_publisher.ports import Audit, JobStore

logger = logging.getLogger(__name__)
REAPPLY_BASE_S, REAPPLY_MAX_S = 1.0, 300.0

SETTLING = {
    "post.publish.complete": "PUBLISH_COMPLETE",
    "post.publish.failed": "FAILED",
    "post.publish.inbox_delivered": "SEND_TO_USER_INBOX",
}


class BadSignature(ValueError):
    """The request is not from TikTok (or too old to trust)."""


def verify_signature(
    secret: str, header: str, body: bytes, now: datetime, tolerance_s: int
) -> None:
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    timestamp, signature = parts.get("t", ""), parts.get("s", "")
    if not timestamp.isdigit() or not signature:
        raise BadSignature("malformed TikTok-Signature header")
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    if not hmac.compare_digest(expected.hexdigest(), signature):
        raise BadSignature("signature does not match")
    if abs(now.timestamp() - int(timestamp)) > tolerance_s:
        raise BadSignature("timestamp outside the tolerance")


@dataclass
class WebhookInbox:
    db: AsyncDatabase[Document]
    jobs: JobStore
    following: Following
    audit: Audit
    auth: AuthClient
    clock: Clock

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

    @staticmethod
    def must_apply_first(body: bytes) -> bool:
        """`authorization.removed` is applied before TikTok is answered: if it cannot be, TikTok
        hears an error and delivers it again, rather than an account staying connected."""
        return b'"authorization.removed"' in body

    async def apply(self, body: bytes) -> bool:
        """Apply one stored event; False (and a later retry, with backoff) when it could not."""
        key = hashlib.sha256(body).hexdigest()
        try:
            event = json.loads(body)
            content = json.loads(event.get("content") or "{}")
            await self.apply_event(
                str(event.get("event", "")), content, str(event.get("user_openid", ""))
            )
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
        while True:
            try:
                await self.reapply_due()
            except Exception:
                logger.exception("re-applying webhooks failed; trying again")
            await asyncio.sleep(interval_s)

    async def reapply_due(self) -> int:
        """Apply again the stored events whose application failed (auth down, a crash between
        storing and applying); returns how many were applied now."""
        cursor = (
            self.db["webhook_inbox"]
            .find({"applied": False, "next_attempt_at": {"$lte": self.clock.now()}})
            .limit(50)
        )
        applied = 0
        for stored in [doc async for doc in cursor]:
            applied += await self.apply(stored["raw"].encode())
        return applied

    async def apply_event(self, name: str, content: dict[str, Any], open_id: str) -> None:
        if name == "authorization.removed":
            await self.auth.authorization_removed(open_id, int(content.get("reason", 0)))
            return
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
        if name == "post.publish.publicly_available":
            await self.following.outcomes.went_live(job, str(content["post_id"]))
        elif name in SETTLING and job["status"] == JobStatus.PROCESSING:
            reason = content.get("reason") if name == "post.publish.failed" else None
            # settling belongs to the post's trace, not to TikTok's webhook request
            with tracer.start_as_current_span(
                "apply webhook",
                context=stored_trace(job.get("trace")),
                attributes={"gatepost.post_id": job["post_id"]},
            ):
                await self.following.settle(job, SETTLING[name], reason, [])  # type: ignore[arg-type]
