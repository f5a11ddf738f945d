"""A post's life in the queue, without I/O: its statuses, and each move as the conditional update
the repository applies (a lost race changes nothing: a double click approves once).

    awaiting_approval ──approve (as the person saw it: its revision)──▶ approved
          │  └──revise (revision + 1)──┘                                  │
          └──reject──▶ rejected                       outcome of this attempt
                                                                          ▼
    failed ──approve again (attempt n + 1, chosen and signed again)──▶ approved
    withdrawn ──────────────────────────────────────────────────────────▶ │
      ▲                       published · in_inbox · failed · unknown · withdrawn
      └───────────────────────────────────────────────────────────────────┘
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Required, TypedDict


class StoredSlide(TypedDict, total=False):
    """A slide as a post keeps it: its words, its picture with them and without."""

    index: int
    prompt: str
    text: str
    image_url: Required[str]
    sha256: str
    illustration_url: str | None
    illustration_sha256: str | None


class VideoFacts(TypedDict):
    """What media found out about a video it checked and kept."""

    url: str
    sha256: str
    size: int
    mime: str
    duration_s: float
    width: int
    height: int
    poster_url: str


class UploadedVideo(VideoFacts):
    """A person's own video as a post keeps it: media's facts, and how TikTok will get it."""

    transfer: str  # FILE_UPLOAD (from the person's device) or PULL_FROM_URL


class Post(TypedDict, total=False):
    """A post in the queue as the post store keeps it: what the use cases read. Every change of
    it is a `Move` (a condition and an update), applied by the store."""

    _id: Required[str]
    user_id: Required[str]
    account_id: Required[str]
    status: Required[str]  # a PostStatus
    origin: str  # "uploaded" for a person's own media; generated otherwise
    title: str
    caption: str
    hashtags: list[str]
    language: str
    ai_generated: bool
    slides: list[StoredSlide]
    cover_index: int
    media_type: str
    video: UploadedVideo | None
    rejected_at: datetime
    settled_at: datetime  # when the outcome of its attempt came
    media_expired_at: datetime | None  # its media expired (retention.py): deleted or going
    media_released_at: datetime | None  # media was told which of its files no post names
    revision: int
    attempt: int
    history: list[dict[str, Any]]  # approvals, the publisher's words, outcomes
    trace: dict[str, str] | None
    approved_at: datetime | None
    publish_after: datetime | None
    progress: dict[str, Any] | None  # the publisher's newest word on this attempt
    outbox_pending: bool
    stuck: dict[str, Any] | None  # since, reason: approved, and nothing heard for too long


class PostStatus(StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    REJECTED = "rejected"
    PUBLISHED = "published"
    FAILED = "failed"
    IN_INBOX = "in_inbox"  # a draft in the creator's TikTok inbox
    UNKNOWN = "unknown"  # TikTok may have posted it: a person checks
    WITHDRAWN = "withdrawn"  # the person withdrew the approval before it was sent


# the publisher's outcome (post.published) → the post's status
STATUS_FROM_TIKTOK: dict[str, PostStatus] = {
    "PUBLISH_COMPLETE": PostStatus.PUBLISHED,
    "SEND_TO_USER_INBOX": PostStatus.IN_INBOX,
    "FAILED": PostStatus.FAILED,
    "UNKNOWN": PostStatus.UNKNOWN,
    "WITHDRAWN": PostStatus.WITHDRAWN,
}
# a new attempt may be approved after these: nothing of the last one was posted
APPROVABLE_AGAIN = (PostStatus.FAILED, PostStatus.WITHDRAWN)


@dataclass(frozen=True)
class Move:
    """`when`: the condition (besides the post's id and owner); `update`: what it applies."""

    when: dict[str, Any]
    update: dict[str, Any]


def as_seen(revision: int) -> Any:
    """The condition that a post is still at the revision the person saw (posts queued before
    revisions existed have none: they count as revision 0)."""
    return {"$in": [None, 0]} if revision == 0 else revision


def of_attempt(attempt: int) -> Any:
    """The condition that a post is at approval `attempt` (posts approved before attempts
    existed have none: theirs was the first)."""
    return {"$in": [None, 1]} if attempt == 1 else attempt


def queued(now: datetime) -> dict[str, Any]:
    """A new post's fields in the queue: nobody approved it."""
    return {
        "status": PostStatus.AWAITING_APPROVAL.value,
        "approved_at": None,
        "approved_by": None,
        "revision": 0,
        "cover_index": 0,
        "created_at": now,
    }


def approve(revision: int, attempt: int, fields: dict[str, Any]) -> Move:
    """Attempt 1 approves a post awaiting approval; attempt n + 1 (publishing again) a post whose
    attempt n failed. Either only as the person saw it."""
    when: dict[str, Any] = {"revision": as_seen(revision)}
    if attempt == 1:
        when |= {"status": PostStatus.AWAITING_APPROVAL.value, "approved_at": None}
    else:
        again = [s.value for s in APPROVABLE_AGAIN]
        when |= {
            "status": {"$in": again},
            "attempt": of_attempt(attempt - 1),
            "media_expired_at": None,  # its pictures are deleted: nothing to publish
        }
    update = {
        **fields,
        "attempt": attempt,
        "status": PostStatus.APPROVED.value,
        "fail_reason": None,
        "retryable": False,
        "progress": None,  # the publisher's word on this attempt comes next
        "stuck": None,
    }
    approved = {"state": "approved", "at": fields["approved_at"], "attempt": attempt}
    if fields.get("publish_after"):
        approved["due_at"] = fields["publish_after"]
    return Move(when, {"$set": update, "$push": {"history": approved}})


def revise(revision: int, changes: dict[str, Any], now: datetime) -> Move:
    """Edit a post awaiting approval, only if nobody changed it since `revision` was read."""
    return Move(
        {"status": PostStatus.AWAITING_APPROVAL.value, "revision": as_seen(revision)},
        {"$set": {**changes, "edited_at": now}, "$inc": {"revision": 1}},
    )


def reject(now: datetime) -> Move:
    return Move(
        {"status": PostStatus.AWAITING_APPROVAL.value},
        {"$set": {"status": PostStatus.REJECTED.value, "rejected_at": now}},
    )


def outcome(attempt: int, status: str, fields: dict[str, Any], at: datetime) -> Move:
    """The outcome of the post's current attempt (a late outcome of an earlier one is not); the
    post's history gains it once, however often it is delivered."""
    state = STATUS_FROM_TIKTOK[status].value
    ended = {"state": state, "at": at, "attempt": attempt, "reason": fields.get("fail_reason")}
    if fields.get("tiktok_url"):
        ended["link"] = fields["tiktok_url"]
    return Move(
        {"attempt": of_attempt(attempt)},
        {
            "$set": {**fields, "status": state, "stuck": None, "settled_at": at},
            "$addToSet": {"history": ended},
        },
    )


def progressed(attempt: int, progress: dict[str, Any]) -> Move:
    """The publisher's newer word on the post's current attempt: it becomes the post's progress
    (an older one does not) and joins its history."""
    link = {"tiktok_url": progress["link"]} if progress.get("link") else {}
    return Move(
        {
            "attempt": of_attempt(attempt),
            # no word yet (none, or cleared by a new attempt), or an older one
            "$or": [
                {"progress": None},
                {"progress.at": None},
                {"progress.at": {"$lt": progress["at"]}},
            ],
        },
        {"$set": {"progress": progress, "stuck": None, **link}, **remembered(attempt, progress)},
    )


def remembered(attempt: int, progress: dict[str, Any]) -> dict[str, Any]:
    """The history's share of a progress event (a redelivered one is not added twice)."""
    return {"$addToSet": {"history": {**progress, "attempt": attempt}}}


def editable(post: Post) -> bool:
    return post.get("status") == PostStatus.AWAITING_APPROVAL


def approvable(post: Post, again: bool) -> bool:
    """Awaiting approval; or, to publish again, failed or withdrawn."""
    if again:
        return post.get("status") in APPROVABLE_AGAIN and not post.get("media_expired_at")
    return post.get("status") == PostStatus.AWAITING_APPROVAL
