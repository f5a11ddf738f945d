"""Pinned bytes: right before the init, what each approved URL serves must be the bytes the person
approved (post.approved signs each photo's and the video's SHA-256). A mismatch is refused, so
nothing is sent; media's store is write-once, so what was checked stays what TikTok fetches.
Each photo's size is read there too, and one TikTok would refuse for its size is refused before
anything is sent: TikTok's 1080 px limit is on a photo's short side (field reports; portrait
1080×1920 slides rely on it), or on its long side where `TIKTOK_PHOTO_SIZE_SIDE=long`."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from typing import Literal

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

    async def size(self, url: str) -> tuple[int, int] | None:
        """A JPEG's width and height from its first bytes (None: not a JPEG we can read)."""
        try:
            answer = await self.http.get(url, headers={"Range": f"bytes=0-{HEAD - 1}"})
        except httpx.HTTPError as error:
            reason = f"media did not serve {url}: {type(error).__name__}"
            raise CallFailed(Handling.RETRY, "media_unreachable", reason) from None
        if answer.status_code not in (200, 206):
            reason = f"media answered {url} with HTTP {answer.status_code}"
            raise CallFailed(Handling.RETRY, "media_unserved", reason)
        return jpeg_size(answer.content[:HEAD])


HEAD = 65536  # a JPEG's frame header comes after its EXIF and tables: well within this
FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def jpeg_size(head: bytes) -> tuple[int, int] | None:
    """Width and height from a JPEG's start-of-frame segment, or None."""
    if not head.startswith(b"\xff\xd8"):
        return None
    at = 2
    while at + 9 <= len(head) and head[at] == 0xFF:
        marker, length = head[at + 1], struct.unpack(">H", head[at + 2 : at + 4])[0]
        if marker in FRAMES:
            height, width = struct.unpack(">HH", head[at + 5 : at + 9])
            return width, height
        at += 2 + length
    return None


@dataclass(frozen=True)
class PhotoLimit:
    """TikTok's photo size limit: `pixels` on the side it bounds (short, or long)."""

    side: Literal["short", "long"] = "short"
    pixels: int = 1080

    def refuses(self, size: tuple[int, int]) -> bool:
        return (min(size) if self.side == "short" else max(size)) > self.pixels


def pinned(approved: PostApproved) -> list[tuple[str, str]]:
    """Each approved URL with the SHA-256 signed for it (photos approved before their bytes were
    pinned have none: only their URLs are signed)."""
    pairs = list(zip(approved.photo_urls, approved.photo_sha256 or [], strict=False))
    if approved.video is not None:
        pairs.append((approved.video.url, approved.video.sha256))
    return pairs


async def check_pinned(
    served: Served, approved: PostApproved, limit: PhotoLimit = PhotoLimit()
) -> None:
    """Refuse (nothing is sent) when a URL serves other bytes than were approved, or a photo
    TikTok would refuse for its size; a URL media does not serve now is a passing failure
    (CallFailed, retried)."""
    for url, sha256 in pinned(approved):
        if await served.sha256(url) != sha256:
            raise Refused(
                f"the file at {url} is not the one that was approved (its SHA-256 differs): it "
                "was replaced after approval; nothing was sent to TikTok"
            )
    for position, url in enumerate(approved.photo_urls, start=1):
        size = await served.size(url)
        if size is not None and limit.refuses(size):
            raise Refused(
                f"photo {position} is {size[0]}×{size[1]}: over TikTok's {limit.pixels} px on "
                f"its {limit.side} side (TIKTOK_PHOTO_SIZE_SIDE={limit.side}); nothing was sent "
                "to TikTok"
            )
