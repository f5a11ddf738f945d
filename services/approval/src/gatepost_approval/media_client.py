"""media's internal routes as approval calls them (its calls signed as approval: see access):
a person's video or photos stored, with what media found out about them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, TypedDict, cast

import httpx

from gatepost_approval.domain import ApprovalRefused
from gatepost_approval.lifecycle import VideoFacts

MEDIA_UNAVAILABLE = "the media service could not take the file now; try again"


class StoredImage(TypedDict):
    url: str
    sha256: str


class StoredVideo(VideoFacts):
    """media's answer for a video it checked and kept."""

    codec: str


class MediaClient:
    """media's internal routes; `http` signs its calls as approval (see access)."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def _stored(self, answer: httpx.Response) -> dict[str, Any]:
        if answer.status_code in (413, 422):
            raise ApprovalRefused(str(answer.json().get("detail", "media refused the file")))
        if answer.status_code != 201:
            raise ApprovalRefused(MEDIA_UNAVAILABLE)
        stored: dict[str, Any] = answer.json()
        return stored

    async def video(self, body: AsyncIterator[bytes]) -> StoredVideo:
        answer = await self.http.post("/internal/videos", content=body)
        return cast(StoredVideo, await self._stored(answer))

    async def video_from(self, url: str) -> StoredVideo:
        answer = await self.http.post("/internal/videos/fetch", json={"url": url})
        return cast(StoredVideo, await self._stored(answer))

    async def image(self, data: bytes) -> StoredImage:
        answer = await self.http.post("/internal/images", content=data)
        return cast(StoredImage, await self._stored(answer))

    async def release(self, names: list[str]) -> dict[str, list[str]]:
        """Ask media to delete files no kept post names (those stored again lately stay)."""
        answer = await self.http.post("/internal/media/expire", json={"names": names})
        answer.raise_for_status()  # the pass tries again
        released: dict[str, list[str]] = answer.json()
        return released
