"""Approved posts that went quiet: no outcome, and no word from the publisher, `stuck_after` past
the later of their publish time and the publisher's last word (or the time it said it waits
until). Each is marked stuck once, with the likeliest reason, for the person (the queue's
`stuck` field) and the operator (a log line, `gatepost.posts.stuck`, and
`python -m gatepost_devstack stuck`). Any word from the publisher, an outcome or a new approval
clears the mark."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from pymongo.asynchronous.collection import AsyncCollection

from gatepost_approval.lifecycle import Post, PostStatus
from gatepost_common.clock import Clock
from gatepost_common.metrics import POSTS_STUCK
from gatepost_common.mongo import Document
from gatepost_common.passes import every

logger = logging.getLogger(__name__)

NOT_SENT = "the approval has not reached Kafka yet; approval keeps trying to send it"
NOT_TAKEN = (
    "the publisher has not taken the approval in: it may be in post.approved.dlq, or the "
    "publisher is not consuming"
)


def stuck_reason(post: Post, now: datetime, after: timedelta) -> str | None:
    """Why this approved post counts as stuck at `now`, or None while it does not."""
    if post.get("status") != PostStatus.APPROVED:
        return None
    progress: dict[str, Any] = dict(post.get("progress") or {})
    due = post.get("publish_after") or post.get("approved_at")
    times = [t for t in (due, progress.get("at"), progress.get("due_at")) if t]
    if not times or max(times) + after > now:
        return None
    if post.get("outbox_pending"):
        return NOT_SENT
    if not progress:
        return NOT_TAKEN
    at = f"{progress['at']:%Y-%m-%d %H:%M} UTC"
    said = f"no word from the publisher since '{progress['state']}' at {at}"
    return f"{said}: {progress['reason']}" if progress.get("reason") else said


@dataclass
class StuckFinder:
    """Looks for stuck posts every `interval_s`; several replicas may: each post is marked once."""

    posts: AsyncCollection[Document]
    clock: Clock
    after: timedelta
    interval_s: float

    async def find(self) -> list[tuple[str, str]]:
        """Mark the posts that are stuck now; returns (post id, reason) of those newly marked."""
        now = self.clock.now()
        marked: list[tuple[str, str]] = []
        quiet = {
            "status": PostStatus.APPROVED.value,
            "stuck": None,
            "approved_at": {"$lt": now - self.after},
        }
        async for post in self.posts.find(quiet):
            reason = stuck_reason(cast(Post, post), now, self.after)
            if reason is None:
                continue
            still = {
                "_id": post["_id"],
                "status": PostStatus.APPROVED.value,
                "attempt": post.get("attempt"),
                "stuck": None,
            }
            done = await self.posts.update_one(
                still, {"$set": {"stuck": {"since": now, "reason": reason}}}
            )
            if done.modified_count == 1:
                marked.append((post["_id"], reason))
                POSTS_STUCK.add(1)
                logger.warning(
                    "an approved post is stuck",
                    extra={
                        "fields": {
                            "post_id": post["_id"],
                            "account_id": post.get("account_id"),
                            "reason": reason,
                        }
                    },
                )
        return marked

    async def run(self) -> None:
        await every(
            self.interval_s,
            self.find,
            logger,
            "looking for stuck posts failed; trying again",
            logging.WARNING,
        )
