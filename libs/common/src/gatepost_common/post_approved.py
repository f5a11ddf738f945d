"""post.approved: what a person approved, signed by approval, the publisher's only input; and
the options and video it carries."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gatepost_common import topics
from gatepost_common.event_data import EventData, NonEmpty, utf16_units

PrivacyLevel = Literal[
    "PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"
]


class PublishOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # None only for a draft sent to the creator's inbox: the creator chooses it in TikTok
    privacy_level: PrivacyLevel | None
    disable_comment: bool
    auto_add_music: bool = False  # photos only
    brand_content_toggle: bool = False
    brand_organic_toggle: bool = False
    # videos only (TikTok takes none of these for photos)
    disable_duet: bool = False
    disable_stitch: bool = False
    video_cover_timestamp_ms: Annotated[int, Field(ge=0)] | None = None
    is_aigc: bool = False  # "Creator labeled as AI-generated"


MediaType = Literal["PHOTO", "VIDEO"]
# DIRECT_POST: published by Gatepost; MEDIA_UPLOAD: sent to the creator's TikTok inbox as a draft
PostMode = Literal["DIRECT_POST", "MEDIA_UPLOAD"]
VideoTransfer = Literal["PULL_FROM_URL", "FILE_UPLOAD"]
VideoMime = Literal["video/mp4", "video/quicktime", "video/webm"]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class Video(BaseModel):
    """A video media hosts: what TikTok is sent, and how (PULL_FROM_URL from media's URL, or
    FILE_UPLOAD: the publisher reads it from that URL and puts it to TikTok in chunks)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: NonEmpty
    sha256: Sha256
    size: Annotated[int, Field(gt=0, le=4_000_000_000)]
    mime: VideoMime
    duration_s: Annotated[float, Field(gt=0)]
    width: Annotated[int, Field(gt=0)]
    height: Annotated[int, Field(gt=0)]
    transfer: VideoTransfer
    poster_url: str | None = None


# fields added to post.approved after v1, with the value that means "as in v1": a signature covers
# them only when they differ, so approvals signed before they existed still verify
ADDED_AFTER_V1: dict[str, Any] = {
    "attempt": 1,
    "media_type": "PHOTO",
    "post_mode": "DIRECT_POST",
    "video": None,
    "photo_sha256": None,
    "language": None,
}
OPTIONS_ADDED_AFTER_V1: dict[str, Any] = {
    "disable_duet": False,
    "disable_stitch": False,
    "video_cover_timestamp_ms": None,
    "is_aigc": False,
}


class PostApproved(EventData):
    TYPE: ClassVar[str] = topics.POST_APPROVED
    SCHEMA: ClassVar[str] = "gatepost/post.approved/v1"

    post_id: NonEmpty
    user_id: NonEmpty
    account_id: NonEmpty
    approved_at: datetime
    approved_by: NonEmpty
    title: Annotated[str, Field(max_length=90)]
    description: Annotated[str, Field(max_length=4000)]
    photo_urls: Annotated[list[NonEmpty], Field(max_length=35)]  # 1 to 35 for a photo post
    cover_index: Annotated[int, Field(ge=0)]
    options: PublishOptions
    publish_after: datetime | None = None
    # 1 for the first approval; a person publishing a failed post again approves attempt n + 1
    attempt: Annotated[int, Field(ge=1, le=100)] = 1
    media_type: MediaType = "PHOTO"
    post_mode: PostMode = "DIRECT_POST"
    video: Video | None = None  # a video post's video
    # each photo's SHA-256, in photo_urls' order: the bytes TikTok must be served, pinned by the
    # signature (None: approved before photos were pinned; their URLs alone are signed)
    photo_sha256: Annotated[list[Sha256], Field(max_length=35)] | None = None
    # the post's language (ISO 639-1) as it was generated, for "what worked, fed back"; None for
    # a post uploaded by a person, or approved before it was carried
    language: Annotated[str, Field(min_length=2, max_length=8)] | None = None
    signature: str = Field(description="Ed25519 over the canonical data without this field, base64")

    @model_validator(mode="after")
    def _media(self) -> PostApproved:
        if self.post_mode == "DIRECT_POST" and self.options.privacy_level is None:
            raise ValueError("a direct post has a privacy level")
        if self.media_type == "PHOTO":
            if not 1 <= len(self.photo_urls) <= 35 or self.video is not None:
                raise ValueError("a photo post has 1 to 35 photo_urls and no video")
            if self.cover_index >= len(self.photo_urls):
                raise ValueError("cover_index is past the last photo")
            if self.photo_sha256 is not None and len(self.photo_sha256) != len(self.photo_urls):
                raise ValueError("photo_sha256 has one SHA-256 per photo URL")
        elif self.video is None or self.photo_urls or self.photo_sha256:
            raise ValueError("a video post has a video and no photo_urls")
        elif utf16_units(self.description) > 2200:  # a video's caption is TikTok's `title`
            raise ValueError("a video's caption is longer than TikTok's 2200 characters")
        return self

    def signed_data(self) -> dict[str, Any]:
        """What the signature covers. A field added after v1 is covered only when it differs
        from its v1 meaning, so approvals signed before it existed still verify."""
        data = self.model_dump(mode="json")
        for fields, where in ((ADDED_AFTER_V1, data), (OPTIONS_ADDED_AFTER_V1, data["options"])):
            for name, v1 in fields.items():
                if where[name] == v1:
                    del where[name]
        return data
