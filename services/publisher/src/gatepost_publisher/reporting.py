"""What the publisher says of a job: its `post.published` event, the link to the live post, and
the outcome metrics."""

from __future__ import annotations

from datetime import UTC, datetime

from gatepost_common.cloud_event import CloudEvent, envelope
from gatepost_common.events import PostPublished, PublishStatus
from gatepost_common.metrics import POSTS_FAILED, POSTS_PUBLISHED, PUBLISH_DURATION
from gatepost_publisher.lifecycle import Job

SOURCE = "gatepost/publisher"


def outcome_event(
    job: Job, status: PublishStatus, reason: str | None, post_ids: list[str], retryable: bool
) -> CloudEvent[PostPublished]:
    outcome = PostPublished(
        post_id=job["post_id"],
        account_id=job["account_id"],
        publish_id=job.get("publish_id"),
        status=status,
        fail_reason=reason,
        post_ids=post_ids,
        privacy_level=job["approved"]["options"]["privacy_level"],
        attempt=job["attempt"],
        retryable=retryable,
        link=live_link(job, post_ids[0]) if post_ids else None,
    )
    return envelope(outcome, source=SOURCE, subject=job["post_id"])


def live_link(job: Job, post_id: str) -> str:
    """The public post on TikTok: its creator's profile, then /video/ or /photo/ and its id."""
    kind = "video" if job["approved"].get("media_type") == "VIDEO" else "photo"
    return f"https://www.tiktok.com/@{job.get('creator_username') or '_'}/{kind}/{post_id}"


def counted_outcome(status: PublishStatus, approved_at: str) -> None:
    """Count a final status, and the time since the person approved the post (wall clock, as
    the approval service stamped it)."""
    since = (datetime.now(UTC) - datetime.fromisoformat(approved_at)).total_seconds()
    PUBLISH_DURATION.record(since, {"status": status})
    if status in ("PUBLISH_COMPLETE", "SEND_TO_USER_INBOX"):
        POSTS_PUBLISHED.add(1, {"status": status})
    else:
        POSTS_FAILED.add(1, {"stage": "publishing", "status": status})
