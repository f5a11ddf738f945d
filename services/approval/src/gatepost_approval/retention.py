"""Which posts' media expire, without I/O: a rejected or failed post's after `MEDIA_RETENTION_DAYS`
(30), a published post's (or a draft sent to the creator's inbox) after
`MEDIA_RETENTION_PUBLISHED_DAYS` (90: TikTok pulled the pictures within an hour of the init).
A post whose media expired is marked `media_expired_at` (it can no longer be published again),
and its files are released once no post whose media has not expired names them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from gatepost_approval.lifecycle import Post, PostStatus

# when each kept status began (posts settled before `settled_at` existed: their approval)
ENDED = {
    PostStatus.REJECTED: "rejected_at",
    PostStatus.FAILED: "settled_at",
    PostStatus.PUBLISHED: "settled_at",
    PostStatus.IN_INBOX: "settled_at",
}
FILE_NAME = re.compile(r"/([0-9a-f]{64}\.(?:jpg|mp4|mov|webm))$")


@dataclass(frozen=True)
class Retention:
    """How long each kind of post keeps its media."""

    undelivered: timedelta  # rejected, failed
    delivered: timedelta  # published, in the creator's inbox

    def kept_for(self, status: str) -> timedelta | None:
        if status in (PostStatus.REJECTED, PostStatus.FAILED):
            return self.undelivered
        if status in (PostStatus.PUBLISHED, PostStatus.IN_INBOX):
            return self.delivered
        return None  # awaiting approval, approved, withdrawn, unknown: kept

    def expired(self, post: Post, now: datetime) -> bool:
        """Whether `post`'s media have expired at `now`."""
        status = post.get("status", "")
        kept = self.kept_for(status)
        if kept is None:
            return False
        doc: dict[str, Any] = dict(post)
        ended = doc.get(ENDED[PostStatus(status)]) or doc.get("approved_at")
        return ended is not None and ended + kept <= now

    def expired_query(self, now: datetime) -> dict[str, Any]:
        """The posts whose media have expired at `now` and are not marked yet (what `expired`
        says, as a MongoDB filter)."""
        ways: list[dict[str, Any]] = []
        for status, field in ENDED.items():
            kept = self.kept_for(status)
            assert kept is not None
            cutoff = now - kept
            ways.append({"status": status.value, field: {"$lte": cutoff}})
            ways.append({"status": status.value, field: None, "approved_at": {"$lte": cutoff}})
        return {"media_expired_at": None, "$or": ways}


def files_of(post: Post) -> set[str]:
    """The names media keeps `post`'s files under (`<sha256>.jpg`, `<sha256>.mp4`, …): each
    slide's picture with its words and without, a video and its poster frame."""
    urls: list[str] = []
    for slide in post.get("slides") or []:
        urls += [slide.get("image_url") or "", slide.get("illustration_url") or ""]
    video = post.get("video")
    if video:
        urls += [video.get("url") or "", video.get("poster_url") or ""]
    return {found.group(1) for url in urls if (found := FILE_NAME.search(url))}


def sharing(post: Post) -> dict[str, Any]:
    """A filter for the other posts that may name one of `post`'s files (by the indexed fields
    that hold them: the slides' and the video's SHA-256s, the poster frame's URL)."""
    shas = sorted(name.split(".")[0] for name in files_of(post))
    video: dict[str, Any] = dict(post.get("video") or {})
    posters = [str(video.get("poster_url") or "")]
    return {
        "_id": {"$ne": post["_id"]},
        "$or": [
            {"slides.sha256": {"$in": shas}},
            {"slides.illustration_sha256": {"$in": shas}},
            {"video.sha256": {"$in": shas}},
            {"video.poster_url": {"$in": [p for p in posters if p]}},
        ],
    }


def releasable(post: Post, others: list[Post]) -> set[str]:
    """The files of `post` that none of `others` (posts whose media have not expired) names."""
    kept: set[str] = set()
    for other in others:
        kept |= files_of(other)
    return files_of(post) - kept
