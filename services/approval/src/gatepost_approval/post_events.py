"""What approval takes in from Kafka about a post: a generated post queued (once), and the
publisher's words after approval (progress, the outcome), kept as the post's status and history."""

from __future__ import annotations

import logging

from gatepost_approval.adapters import MongoPostRepository
from gatepost_common.cloud_event import CloudEvent
from gatepost_common.events import PostGenerated, PostProgressed, PostPublished, Progress
from gatepost_common.telemetry import current_trace

logger = logging.getLogger(__name__)


class PostEvents:
    posts: MongoPostRepository

    async def on_post_generated(self, event: CloudEvent[PostGenerated]) -> None:
        post = event.data
        document = post.model_dump(mode="json")
        document["_id"] = document.pop("post_id")
        document["trace"] = current_trace()  # the approval, later, links back to this trace
        if await self.posts.add_generated(document):
            logger.info("post queued", extra={"fields": {"post_id": post.post_id}})

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

    async def on_post_progressed(self, event: CloudEvent[PostProgressed]) -> None:
        """The publisher's word on an approved post: waiting (why, until when), uploading,
        processing, flagged for a person, live (with its link)."""
        progressed = event.data
        progress = progressed.model_dump(include=set(Progress.model_fields))
        await self.posts.record_progress(progressed.post_id, progressed.attempt, progress)
