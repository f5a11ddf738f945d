"""What approval takes in from Kafka about a post: a generated post queued (once), and the
publisher's words after approval (progress, the outcome), kept as the post's status and history."""

from __future__ import annotations

import logging

from gatepost_approval.adapters import MongoPostRepository
from gatepost_approval.settings import Settings
from gatepost_approval.webhook_outbox import WebhookOutbox
from gatepost_approval.webhook_rules import WebhookEvent
from gatepost_common.cloud_event import CloudEvent
from gatepost_common.events import (
    PostGenerated,
    PostMeasured,
    PostProgressed,
    PostPublished,
    Progress,
)
from gatepost_common.telemetry import current_trace

logger = logging.getLogger(__name__)


SETTLED = ("PUBLISH_COMPLETE", "SEND_TO_USER_INBOX")  # any other outcome is a failure


class PostEvents:
    posts: MongoPostRepository
    webhooks: WebhookOutbox  # the person's endpoints hear of it (stored before the ack)
    settings: Settings

    async def on_post_generated(self, event: CloudEvent[PostGenerated]) -> None:
        post = event.data
        document = post.model_dump(mode="json")
        document["_id"] = document.pop("post_id")
        document["trace"] = current_trace()  # the approval, later, links back to this trace
        if await self.posts.add_generated(document):
            logger.info("post queued", extra={"fields": {"post_id": post.post_id}})
        # announced on every delivery of the message (idempotent by event id): a crash between
        # queueing and announcing loses nothing
        await self.webhooks.announce(
            WebhookEvent.AWAITING_APPROVAL,
            post.user_id,
            post.post_id,
            1,
            {
                "account_id": post.account_id,
                "title": post.title,
                "link": f"{self.settings.public_url.rstrip('/')}/#queue?post={post.post_id}",
            },
        )

    async def on_post_published(self, event: CloudEvent[PostPublished]) -> None:
        outcome = event.data
        await self.posts.record_outcome(
            outcome.post_id,
            outcome.attempt,
            outcome.status,
            {
                "publish_id": outcome.publish_id,
                "fail_reason": outcome.fail_reason,
                "retryable": outcome.retryable,
                "tiktok_post_ids": outcome.post_ids,
                "published_privacy_level": outcome.privacy_level,
                **({"tiktok_url": outcome.link} if outcome.link else {}),
            },
            event.time,
        )
        await self.announce_outcome(outcome)

    async def announce_outcome(self, outcome: PostPublished) -> None:
        post = await self.posts.posts.find_one({"_id": outcome.post_id}, {"user_id": 1})
        if post is None:
            return
        common: dict[str, object] = {"account_id": outcome.account_id, "status": outcome.status}
        if outcome.status in SETTLED:
            details = {**common, "link": outcome.link}
            await self.webhooks.announce(
                WebhookEvent.PUBLISHED, post["user_id"], outcome.post_id, outcome.attempt, details
            )
        else:
            details = {**common, "reason": outcome.fail_reason, "retryable": outcome.retryable}
            await self.webhooks.announce(
                WebhookEvent.FAILED, post["user_id"], outcome.post_id, outcome.attempt, details
            )

    async def on_post_progressed(self, event: CloudEvent[PostProgressed]) -> None:
        """The publisher's word on an approved post: waiting (why, until when), uploading,
        processing, flagged for a person, live (with its link)."""
        progressed = event.data
        progress = progressed.model_dump(include=set(Progress.model_fields))
        await self.posts.record_progress(progressed.post_id, progressed.attempt, progress)
        if progressed.state == "live" and progressed.link:  # the link TikTok gave later
            post = await self.posts.posts.find_one({"_id": progressed.post_id}, {"user_id": 1})
            if post is not None:
                await self.webhooks.announce(
                    WebhookEvent.PUBLISHED,
                    post["user_id"],
                    progressed.post_id,
                    progressed.attempt,
                    {
                        "account_id": progressed.account_id,
                        "status": progressed.state,  # live
                        "link": progressed.link,
                    },
                    part="live",
                )

    async def on_post_measured(self, event: CloudEvent[PostMeasured]) -> None:
        """A live post's numbers, read again: announced to the person's webhooks (one event per
        reading point, so a redelivered reading is the same event)."""
        measured = event.data
        post = await self.posts.posts.find_one({"_id": measured.post_id}, {"user_id": 1})
        if post is None:
            return
        numbers = measured.model_dump(
            mode="json", include={"account_id", "at", "views", "likes", "comments", "shares"}
        )
        await self.webhooks.announce(
            WebhookEvent.MEASURED,
            post["user_id"],
            measured.post_id,
            0,
            numbers,
            part=str(measured.point),
        )
