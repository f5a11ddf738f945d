"""HTTP: internal routes to store an image and public `/media/<sha256>.jpg`."""

from __future__ import annotations

import io
import re
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from gatepost_common.access import INTERNAL
from gatepost_common.door import takes
from gatepost_common.provided import given
from gatepost_common.slide_style import SlideFormat, Style, dimensions
from gatepost_media.adapters import ImageStore, VideoStore
from gatepost_media.image_tools import ImageTools
from gatepost_media.schemas import ComposedSlide, StoredImage
from gatepost_media.settings import Settings
from gatepost_media.typeset import BODY_SCALE, compose
from gatepost_media.video_routes import video_file
from gatepost_media.videos import MIME

SHA256 = re.compile(r"^[0-9a-f]{64}$")
IMMUTABLE = "public, max-age=31536000, immutable"
IMAGE_BODY_BYTES = 50_000_000  # the ceiling; MAX_UPLOAD_BYTES (20 MB) is checked within it


class SlideRequest(BaseModel):
    """One slide to compose: a stored picture, its words (the cover also its title), the
    language they are in, and the account's style."""

    model_config = ConfigDict(extra="forbid")
    picture_sha256: Annotated[str, Field(pattern=SHA256.pattern)]
    text: Annotated[str, Field(max_length=500)]
    title: Annotated[str | None, Field(max_length=300)] = None
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[a-z]{2,4})?$")]
    style: Style = Style()


router = APIRouter()
internal = [INTERNAL]  # who may call which: gatepost_common.access
Configured = Annotated[Settings, given(Settings)]
Images = Annotated[ImageStore, given(ImageStore)]
Videos = Annotated[VideoStore, given(VideoStore)]
Decoders = Annotated[ImageTools, given(ImageTools)]


def stored(
    settings: Settings, sha256: str, jpeg: bytes, size: tuple[int, int] = (1080, 1080)
) -> StoredImage:
    url = settings.url_of(f"{sha256}.jpg")
    width, height = size
    return StoredImage(sha256=sha256, url=url, width=width, height=height, bytes=len(jpeg))


async def store_image(
    settings: Settings,
    store: ImageStore,
    tools: ImageTools,
    data: bytes,
    slide_format: SlideFormat = "1080x1080",
) -> StoredImage:
    if not data:
        raise HTTPException(422, "the request body is empty: send the image bytes")
    # decoded where it cannot write a file: a hostile image may take its decoder over
    image = await tools.normalise(
        data,
        max_pixels=settings.max_pixels,
        quality=settings.jpeg_quality,
        fit=settings.fit,
        slide_format=slide_format,
    )
    await store.put(image.sha256, image.jpeg)
    return stored(settings, image.sha256, image.jpeg, dimensions(slide_format))


def composed(slide: SlideRequest, picture: bytes, quality: int) -> tuple[bytes, tuple[int, int]]:
    """The slide's JPEG and its size (the picture's shape: square, 4:5 or 9:16)."""
    blocks = [(slide.text, BODY_SCALE if slide.title else 1.0)]
    if slide.title:
        blocks.insert(0, (slide.title, 1.0))
    image = compose(picture, blocks, slide.language, slide.style)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, progressive=True)
    return out.getvalue(), image.size


@router.post("/internal/slides", dependencies=internal, status_code=201)
async def slide(body: SlideRequest, settings: Configured, store: Images) -> ComposedSlide:
    """Set a slide's words on its stored picture; the same inputs give the same bytes and
    URL. 422 with the reason when the words cannot be set (a glyph the font lacks, too long)."""
    picture = store.path(body.picture_sha256)
    if not picture.exists():
        raise HTTPException(404, "no such picture: store it first")
    # refusals: GlyphMissing, TextDoesNotFit
    jpeg, size = await run_in_threadpool(
        composed, body, picture.read_bytes(), settings.jpeg_quality
    )
    made = stored(settings, await store.keep(jpeg), jpeg, size)
    return ComposedSlide(**vars(made), picture_sha256=body.picture_sha256)


@router.post("/internal/images", dependencies=[*internal, takes(IMAGE_BODY_BYTES)], status_code=201)
async def upload(
    request: Request,
    settings: Configured,
    store: Images,
    tools: Decoders,
    slide_format: Annotated[SlideFormat, Query(alias="format")] = "1080x1080",
) -> StoredImage:
    """Store the image in the request body as a picture for slides of `format` (width×height:
    cropped to fill it, or padded when media's `fit` is "pad")."""
    too_big = f"images are limited to {settings.max_upload_bytes} bytes"
    if int(request.headers.get("content-length") or 0) > settings.max_upload_bytes:
        raise HTTPException(413, too_big)
    data = bytearray()
    async for part in request.stream():  # count what arrives: the header may lie
        data += part
        if len(data) > settings.max_upload_bytes:
            raise HTTPException(413, too_big)
    return await store_image(settings, store, tools, bytes(data), slide_format)


BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.get(
    "/media/{name}",
    response_class=FileResponse,
    responses={
        200: {
            "description": "The file, as stored (ranges supported)",
            "content": {"image/jpeg": BINARY, **{m: BINARY for m in MIME.values()}},
        }
    },
)
async def media(name: str, store: Images, videos: Videos) -> FileResponse:
    """Served as is, never redirected (TikTok follows no redirects); ranges supported."""
    if not name.endswith(".jpg"):
        return video_file(videos, name)
    sha256 = name.removesuffix(".jpg")
    if not SHA256.match(sha256) or not store.path(sha256).exists():
        raise HTTPException(404, "no such image")
    return FileResponse(
        store.path(sha256),
        media_type="image/jpeg",
        headers={"Cache-Control": IMMUTABLE, "ETag": f'"{sha256}"'},
    )
