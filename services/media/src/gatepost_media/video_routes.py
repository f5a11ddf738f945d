"""HTTP: internal routes to take in a person's video (the bytes, or a URL), and the public
`/media/<sha256>.<mp4|mov|webm>` (served by the media route) TikTok pulls from or the publisher
reads chunks of."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

from gatepost_common.access import INTERNAL
from gatepost_common.door import takes
from gatepost_common.provided import given
from gatepost_media.adapters import ImageStore, VideoStore
from gatepost_media.fetching import FetchRequest, stream_to
from gatepost_media.schemas import StoredVideo
from gatepost_media.settings import Settings
from gatepost_media.video_tools import VideoTools
from gatepost_media.videos import MIME, poster_frame, probe

VIDEO_NAME = re.compile(r"^([0-9a-f]{64})\.(mp4|mov|webm)$")
IMMUTABLE = "public, max-age=31536000, immutable"
VIDEO_BODY_BYTES = 4_000_000_000  # TikTok's limit (MAX_VIDEO_BYTES is checked within it)
router = APIRouter()
internal = [INTERNAL]  # who may call which: gatepost_common.access
Configured = Annotated[Settings, given(Settings)]
Images = Annotated[ImageStore, given(ImageStore)]
Videos = Annotated[VideoStore, given(VideoStore)]
Tools = Annotated[VideoTools, given(VideoTools)]
Fill = Callable[[Callable[[bytes], object]], Awaitable[None]]


@dataclass(frozen=True)
class Taking:
    """What taking in a video works with."""

    settings: Settings
    videos: VideoStore
    store: ImageStore
    tools: VideoTools


async def keep(taking: Taking, received: Path) -> StoredVideo:
    """Check the received file; keep it under its sha256, with a poster frame (kept as ffmpeg
    made it: the video's shape, not a slide's)."""
    settings, videos, store = taking.settings, taking.videos, taking.store
    facts = await probe(taking.tools, received)  # RejectedVideo: 422 with the reason
    poster = await store.keep(await poster_frame(taking.tools, received, facts.duration_s))
    poster_url = settings.url_of(f"{poster}.jpg")
    sha256, size = await run_in_threadpool(file_sha256, received)
    await videos.keep(received, sha256, vars(facts) | {"bytes": size, "poster_url": poster_url})
    return StoredVideo(
        sha256=sha256,
        url=settings.url_of(f"{sha256}.{facts.extension}"),
        size=size,
        mime=facts.mime,
        duration_s=facts.duration_s,
        width=facts.width,
        height=facts.height,
        codec=facts.codec,
        poster_url=poster_url,
    )


async def taken(taking: Taking, fill: Fill) -> StoredVideo:
    """A temporary file filled by `fill`, then kept; removed whatever happens (a kept one was
    renamed)."""
    part = taking.videos.receiving()
    try:
        with part.open("wb") as out:
            await fill(out.write)
        return await keep(taking, part)
    finally:
        await run_in_threadpool(part.unlink, missing_ok=True)


@router.post("/internal/videos", dependencies=[*internal, takes(VIDEO_BODY_BYTES)], status_code=201)
async def upload(
    request: Request, settings: Configured, videos: Videos, store: Images, tools: Tools
) -> StoredVideo:
    """Take the video in the request body: checked for TikTok, kept, a poster frame made.
    422 with the reason when TikTok would not take it."""
    too_big = f"videos are limited to {settings.max_video_bytes} bytes"
    if int(request.headers.get("content-length") or 0) > settings.max_video_bytes:
        raise HTTPException(413, too_big)

    async def fill(write: Callable[[bytes], object]) -> None:
        received = 0
        async for chunk in request.stream():  # counted as it comes: the header may lie
            received += len(chunk)
            if received > settings.max_video_bytes:
                raise HTTPException(413, too_big)
            write(chunk)
        if not received:
            raise HTTPException(422, "the request body is empty: send the video's bytes")

    return await taken(Taking(settings, videos, store, tools), fill)


@router.post("/internal/videos/fetch", dependencies=internal, status_code=201)
async def fetch(
    body: FetchRequest, settings: Configured, videos: Videos, store: Images, tools: Tools
) -> StoredVideo:
    """Fetch a video from a URL (its vetted address only, no redirects, size and time limits),
    then take it. FetchFailed: 422 with the reason."""
    limits = (settings.max_video_bytes, settings.video_fetch_timeout_s)

    async def fill(write: Callable[[bytes], object]) -> None:
        await stream_to(str(body.url), limits, write, "video", settings.fetch_policy())

    return await taken(Taking(settings, videos, store, tools), fill)


def video_file(videos: VideoStore, name: str) -> FileResponse:
    """A kept video, served as is (never redirected; ranges supported: the publisher reads it a
    chunk at a time)."""
    match = VIDEO_NAME.match(name)
    path = videos.path(match.group(1), match.group(2)) if match else None
    if match is None or path is None or not path.exists():
        raise HTTPException(404, "no such video")
    return FileResponse(
        path,
        media_type=MIME[match.group(2)],
        headers={"Cache-Control": IMMUTABLE, "ETag": f'"{match.group(1)}"'},
    )


def file_sha256(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as source:
        while block := source.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size
