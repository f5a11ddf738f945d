"""Pinned bytes: right before the init, what each approved URL serves must be the bytes the person
approved (post.approved signs each photo's and the video's SHA-256). A mismatch is refused, so
nothing is sent; media's store is write-once, so what was checked stays what TikTok fetches."""

from __future__ import annotations

import hashlib

import httpx

from gatepost_common.events import PostApproved
from gatepost_publisher.calls import CallFailed
from gatepost_publisher.domain import Handling
from gatepost_publisher.initiating import Refused
from gatepost_publisher.ports import Served


class ServedBytes:
    """What a media URL serves, hashed as it streams (a video is never held whole)."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def sha256(self, url: str) -> str:
        digest = hashlib.sha256()
        try:
            async with self.http.stream("GET", url) as answer:
                if answer.status_code != 200:
                    raise CallFailed(
                        Handling.RETRY,
                        "media_unserved",
                        f"media answered {url} with HTTP {answer.status_code}",
                    )
                async for part in answer.aiter_bytes():
                    digest.update(part)
        except httpx.HTTPError as error:
            reason = f"media did not serve {url}: {type(error).__name__}"
            raise CallFailed(Handling.RETRY, "media_unreachable", reason) from None
        return digest.hexdigest()


def pinned(approved: PostApproved) -> list[tuple[str, str]]:
    """Each approved URL with the SHA-256 signed for it (photos approved before their bytes were
    pinned have none: only their URLs are signed)."""
    pairs = list(zip(approved.photo_urls, approved.photo_sha256 or [], strict=False))
    if approved.video is not None:
        pairs.append((approved.video.url, approved.video.sha256))
    return pairs


async def check_pinned(served: Served, approved: PostApproved) -> None:
    """Refuse (nothing is sent) when a URL serves other bytes than were approved; a URL media
    does not serve now is a passing failure (CallFailed, retried)."""
    for url, sha256 in pinned(approved):
        if await served.sha256(url) != sha256:
            raise Refused(
                f"the file at {url} is not the one that was approved (its SHA-256 differs): it "
                "was replaced after approval; nothing was sent to TikTok"
            )
