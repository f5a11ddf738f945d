"""What media's routes answer: the response models of its OpenAPI document."""

from __future__ import annotations

from pydantic import BaseModel

from gatepost_common.events import VideoMime


class StoredImage(BaseModel):
    """An image kept under its SHA-256, at the stable public URL TikTok pulls."""

    sha256: str
    url: str
    width: int
    height: int
    bytes: int


class ComposedSlide(StoredImage):
    picture_sha256: str  # the picture the words were set on


class StoredVideo(BaseModel):
    """A video checked for TikTok and kept under its SHA-256, with a poster frame."""

    sha256: str
    url: str
    size: int
    mime: VideoMime
    duration_s: float
    width: int
    height: int
    codec: str
    poster_url: str


class ExpiredMedia(BaseModel):
    """What became of the files approval said had expired: `kept` were stored again lately."""

    deleted: list[str]
    kept: list[str]
