"""An upload's multipart body read as it comes, each part within its own cap: a photo part is
refused with 413 the moment it passes 20 MB, a video part at TikTok's 4 GB, a file of any other
type at its headers (422). Starlette's parser would spool a 4 GB "photo" to disk before the route
saw its size; here a part holds at most `SPOOL_BYTES` in memory and never more than its cap on
disk. The route keeps its declared form (so OpenAPI is unchanged) and takes this parser through
`PartsCapped`, its route class."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from contextlib import aclosing
from typing import Any, get_args

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute
from python_multipart.multipart import parse_options_header
from starlette.datastructures import FormData
from starlette.formparsers import MultiPartException, MultiPartParser

from gatepost_common.events import VideoMime

PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
VIDEO_TYPES = frozenset(get_args(VideoMime))  # what TikTok takes, as the approval event says
PHOTO_BYTES = 20_000_000  # media's MAX_UPLOAD_BYTES
VIDEO_BYTES = 4_000_000_000  # TikTok's limit
MOST_FILES = 35  # a photo post's most photos
SPOOL_BYTES = 64 * 1024  # what a file part holds in memory before it goes to disk
FIELD_BYTES = 64 * 1024  # a form field (a title, a caption, a URL)


def photo_too_large() -> HTTPException:
    return HTTPException(413, f"each photo is limited to {PHOTO_BYTES} bytes")


def cap_of(content_type: str) -> tuple[int, Callable[[], HTTPException]]:
    """How many bytes a file part of `content_type` may hold, and the refusal past it."""
    kind = content_type.split(";")[0].strip().lower()
    if kind in PHOTO_TYPES:
        return PHOTO_BYTES, photo_too_large
    if kind in VIDEO_TYPES:
        return VIDEO_BYTES, lambda: HTTPException(413, f"a video is limited to {VIDEO_BYTES} bytes")
    raise HTTPException(422, what_to_send(kind or "a file without a type"))


def what_to_send(got: str) -> str:
    """The refusal of files that are neither one video nor photos (`got`: what came)."""
    return (
        "send one video (MP4, MOV or WebM) or a URL, or 1 to 35 photos (JPEG, PNG or WebP); "
        f"got {got}"
    )


class CappedParts(MultiPartParser):
    """Starlette's multipart parser, counting each file part's bytes as they are parsed."""

    spool_max_size = SPOOL_BYTES

    def on_headers_finished(self) -> None:
        super().on_headers_finished()
        upload = self._current_part.file
        self._held = 0
        self._cap = cap_of(upload.content_type or "") if upload is not None else None

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._cap is not None:
            self._held += end - start
            most, refusal = self._cap
            if self._held > most:
                raise refusal()  # the part's bytes so far are let go with the parser's files
        super().on_part_data(data, start, end)


class PartsCappedRequest(Request):
    """A request whose multipart form is read by `CappedParts`."""

    async def _get_form(
        self,
        *,
        max_files: int | float = MOST_FILES,
        max_fields: int | float = 1000,
        max_part_size: int = FIELD_BYTES,
    ) -> FormData:
        kind, _ = parse_options_header(self.headers.get("Content-Type"))
        if self._form is None and kind == b"multipart/form-data":
            parser_limits = {"max_files": MOST_FILES, "max_fields": 20}
            try:
                async with aclosing(self.stream()) as stream:
                    parser = CappedParts(
                        self.headers, stream, **parser_limits, max_part_size=FIELD_BYTES
                    )
                    self._form = await parser.parse()
            except MultiPartException as refused:
                raise HTTPException(400, refused.message) from None
        return await super()._get_form(
            max_files=max_files, max_fields=max_fields, max_part_size=max_part_size
        )


class PartsCapped(APIRoute):
    """The route class of upload routes: their form is read part by part, each within its cap."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def capped(request: Request) -> Response:
            return await handle(PartsCappedRequest(request.scope, request.receive))

        return capped
