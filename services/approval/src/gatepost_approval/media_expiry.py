"""The pass that deletes expired media (which: retention.py). Each post whose media expired is
marked once, by a conditional update that also ends "publish again" for it; then, for each marked
post not yet released, the posts whose media are kept are asked afresh which of its files they
name, and media is told to delete the others (media keeps a file stored again lately). A crash
anywhere leaves the post marked and not released: the next pass (on any replica) does it again,
and asking media twice is harmless."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol, cast

from pymongo.asynchronous.collection import AsyncCollection

from gatepost_approval.lifecycle import Post
from gatepost_approval.retention import Retention, files_of, releasable, sharing
from gatepost_common.clock import Clock
from gatepost_common.mongo import Document
from gatepost_common.passes import every

logger = logging.getLogger(__name__)

BATCH = 100  # posts marked, and released, in one pass
FILES = {"_id": 1, "slides.image_url": 1, "slides.illustration_url": 1, "video": 1}


class MediaRelease(Protocol):
    """media's internal route that deletes files (media_client.MediaClient)."""

    async def release(self, names: list[str]) -> dict[str, list[str]]: ...


@dataclass
class MediaExpiry:
    posts: AsyncCollection[Document]
    media: MediaRelease
    retention: Retention
    clock: Clock
    interval_s: float

    async def mark(self) -> list[str]:
        """Mark the posts whose media expired now; their ids."""
        now = self.clock.now()
        marked = []
        async for post in self.posts.find(self.retention.expired_query(now)).limit(BATCH):
            if not self.retention.expired(cast(Post, post), now):
                continue
            still = {"_id": post["_id"], "status": post["status"], "media_expired_at": None}
            done = await self.posts.update_one(still, {"$set": {"media_expired_at": now}})
            if done.modified_count == 1:
                marked.append(post["_id"])
        return marked

    async def release(self) -> list[str]:
        """Tell media which files of each marked post no kept post names; the posts' ids."""
        waiting = {"media_expired_at": {"$ne": None}, "media_released_at": None}
        released = []
        async for post in self.posts.find(waiting).limit(BATCH):
            kept = {**sharing(cast(Post, post)), "media_expired_at": None}
            others = [cast(Post, p) async for p in self.posts.find(kept, FILES)]
            names = sorted(releasable(cast(Post, post), others))
            answer: dict[str, Any] = await self.media.release(names) if names else {}
            done = {
                "media_released_at": self.clock.now(),
                "media_deleted": answer.get("deleted", []),
                "media_shared": sorted(files_of(cast(Post, post)) - set(names)),
            }
            await self.posts.update_one({"_id": post["_id"]}, {"$set": done})
            released.append(post["_id"])
            logger.info(
                "a post's expired media released",
                extra={"fields": {"post_id": post["_id"], "files": names, **answer}},
            )
        return released

    async def expire(self) -> None:
        await self.mark()
        await self.release()

    async def run(self) -> None:
        await every(
            self.interval_s, self.expire, logger, "deleting expired media failed; trying again"
        )
