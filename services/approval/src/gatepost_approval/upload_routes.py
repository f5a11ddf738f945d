"""HTTP: a person's own video or photos into the queue (one post per upload)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from pydantic import ValidationError

from gatepost_approval.domain import ApprovalRefused
from gatepost_approval.schemas import PostView
from gatepost_approval.upload_parts import (
    PHOTO_BYTES,
    PHOTO_TYPES,
    VIDEO_TYPES,
    PartsCapped,
    photo_too_large,
    what_to_send,
)
from gatepost_approval.uploads import UploadDetails, Uploads
from gatepost_common.door import takes
from gatepost_common.provided import given
from gatepost_common.quotas import Usage, usage_of
from gatepost_common.sessions import CurrentUser, session_token

# a 4 GB video (TikTok's limit) and its form fields; nothing of it is read before the session,
# and each part is capped as it is read (upload_parts.py): a photo at PHOTO_BYTES
UPLOAD_BODY_BYTES = 4_000_000_000 + 1_000_000
__all__ = ["PHOTO_BYTES", "UPLOAD_BODY_BYTES", "photo_too_large", "router"]


async def chunks_of(upload: UploadFile) -> AsyncIterator[bytes]:
    while part := await upload.read(1 << 20):
        yield part


def photo_of(upload: UploadFile) -> Callable[[], Awaitable[bytes]]:
    """The photo's bytes when media is handed it: never more than PHOTO_BYTES held."""

    async def read() -> bytes:
        data = await upload.read(PHOTO_BYTES + 1)
        if len(data) > PHOTO_BYTES:
            raise photo_too_large()
        return data

    return read


router = APIRouter(tags=["queue"], route_class=PartsCapped)


@router.get("/uploads/usage")
async def upload_usage(user: CurrentUser, uploads: Annotated[Uploads, given(Uploads)]) -> Usage:
    """The person's daily quota of stored bytes (their own photos and videos): its limit,
    today's use and when the day resets (00:00 UTC)."""
    storage = uploads.storage
    return await usage_of(storage.quotas, user.id, [storage.quota])


@router.post("/uploads", status_code=201, dependencies=[takes(UPLOAD_BODY_BYTES)])
async def upload(
    request: Request,
    user: CurrentUser,
    uploads: Annotated[Uploads, given(Uploads)],
    account_id: Annotated[str, Form()],
    title: Annotated[str, Form()],
    caption: Annotated[str, Form()] = "",
    ai_generated: Annotated[bool, Form()] = False,
    video_url: Annotated[str | None, Form()] = None,
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> PostView:
    """Your own media into the approval queue: one video (MP4, MOV or WebM) as a file or a
    `video_url`, or 1 to 35 photos (JPEG, PNG or WebP), with a title and caption. The video is
    checked for TikTok (container, codecs, size, frame rate, length against the account's
    limit) and refused with the reason; the post then waits for approval like any other."""
    try:
        details = UploadDetails(
            account_id=account_id, title=title, caption=caption, ai_generated=ai_generated
        )
    except ValidationError as invalid:
        raise HTTPException(422, invalid.errors()[0]["msg"]) from None
    files = files or []
    kinds = {(f.content_type or "").split(";")[0] for f in files}
    session = session_token(request)
    if video_url and not files:
        post = await uploads.video(user.id, session, details, url=video_url)
    elif len(files) == 1 and kinds <= VIDEO_TYPES:
        post = await uploads.video(user.id, session, details, body=chunks_of(files[0]))
    elif files and kinds <= PHOTO_TYPES:
        post = await uploads.photos(user.id, session, details, [photo_of(f) for f in files])
    else:
        raise ApprovalRefused(what_to_send(", ".join(sorted(kinds)) or "nothing"))
    return PostView.of(post)
