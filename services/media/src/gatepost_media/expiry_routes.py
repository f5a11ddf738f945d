"""HTTP: approval's call to delete the files of posts whose media expired (expiry.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from gatepost_common.access import INTERNAL
from gatepost_common.provided import given
from gatepost_media.expiry import NAME, Expiry
from gatepost_media.schemas import ExpiredMedia

router = APIRouter()


class ExpireRequest(BaseModel):
    """Stored files (`<sha256>.jpg`, `<sha256>.mp4`, …) no post whose media are kept names."""

    model_config = ConfigDict(extra="forbid")
    names: Annotated[
        list[Annotated[str, Field(pattern=NAME.pattern)]], Field(min_length=1, max_length=100)
    ]


@router.post("/internal/media/expire", dependencies=[INTERNAL])
async def expire(body: ExpireRequest, expiry: Annotated[Expiry, given(Expiry)]) -> ExpiredMedia:
    """Delete each named file, unless it was stored (again) within media's `EXPIRY_GRACE_S`: a
    post on its way to the queue may use it. Asking again for a file is harmless."""
    deleted, kept = await expiry.expire(list(dict.fromkeys(body.names)))
    return ExpiredMedia(deleted=deleted, kept=kept)
