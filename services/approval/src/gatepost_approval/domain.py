"""The approval gate's rules: what a person must choose before one post may be published."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gatepost_common.errors import RefusedInput
from gatepost_common.events import MediaType, PostMode, PrivacyLevel, PublishOptions, utf16_units


class ApprovalRefused(RefusedInput, ValueError):
    """The choices do not satisfy TikTok's rules; the message is shown to the person."""


class ApprovalChoices(BaseModel):
    """What the approve dialog sends. To post now, privacy has no default: the person must pick
    it and agree to TikTok's music usage. A draft sent to the creator's inbox takes neither: the
    creator finishes it in TikTok."""

    model_config = ConfigDict(extra="forbid")
    post_mode: PostMode = "DIRECT_POST"
    privacy_level: PrivacyLevel | None = None
    allow_comment: bool = False
    allow_duet: bool = False  # videos
    allow_stitch: bool = False  # videos
    video_cover_timestamp_ms: Annotated[int, Field(ge=0)] | None = None  # videos
    auto_add_music: bool = False  # photos
    disclosure: bool = False
    your_brand: bool = False
    branded_content: bool = False
    music_usage_consent: bool = False
    publish_after: datetime | None = None
    # the post's revision the person saw: approving refuses a post changed since
    revision: Annotated[int, Field(ge=0)] | None = None

    def options(
        self, media_type: MediaType = "PHOTO", ai_generated: bool = False
    ) -> PublishOptions:
        if self.post_mode == "MEDIA_UPLOAD":  # TikTok takes only the caption for a draft
            return PublishOptions(privacy_level=None, disable_comment=True)
        if self.privacy_level is None:
            raise ApprovalRefused("Choose who can see this post.")
        if not self.music_usage_consent:
            raise ApprovalRefused("Agree to TikTok's Music Usage Confirmation to post.")
        if self.disclosure and not (self.your_brand or self.branded_content):
            raise ApprovalRefused(
                "You need to indicate if your content promotes yourself, a third party, or both."
            )
        if self.branded_content and self.privacy_level == "SELF_ONLY":
            raise ApprovalRefused("Branded content visibility cannot be set to private.")
        video = media_type == "VIDEO"
        return PublishOptions(
            privacy_level=self.privacy_level,
            disable_comment=not self.allow_comment,
            auto_add_music=self.auto_add_music and not video,
            brand_content_toggle=self.disclosure and self.branded_content,
            brand_organic_toggle=self.disclosure and self.your_brand,
            disable_duet=video and not self.allow_duet,
            disable_stitch=video and not self.allow_stitch,
            video_cover_timestamp_ms=self.video_cover_timestamp_ms if video else None,
            is_aigc=video and ai_generated,
        )


def check_video_length(duration_s: float, creator: dict[str, object]) -> None:
    """A video no longer than the creator may post (creator_info, asked fresh)."""
    longest = int(creator.get("max_video_post_duration_sec") or 0)  # type: ignore[call-overload]
    if duration_s > longest:
        raise ApprovalRefused(
            f"This video is {duration_s:.0f} s long; this TikTok account can post videos of up to "
            f"{longest} s."
        )


def check_against_creator(
    choices: ApprovalChoices, creator: dict[str, object], video_s: float | None = None
) -> None:
    """Re-check the choices against the account's fresh creator_info (UX rules 1b, 1c, 2b, 2c)."""
    blocked = creator.get("posting_blocked")
    if blocked:
        raise ApprovalRefused(
            f"TikTok says this account cannot post right now ({blocked}). Please try again later."
        )
    if video_s is not None:
        check_video_length(video_s, creator)
    if choices.post_mode == "MEDIA_UPLOAD":
        return  # the creator chooses the rest in TikTok
    if choices.allow_duet and creator.get("duet_disabled"):
        raise ApprovalRefused("Duet is turned off for this account on TikTok.")
    if choices.allow_stitch and creator.get("stitch_disabled"):
        raise ApprovalRefused("Stitch is turned off for this account on TikTok.")
    options = creator.get("privacy_level_options") or []
    if choices.privacy_level not in options:  # type: ignore[operator]
        raise ApprovalRefused(
            f"{choices.privacy_level} is not offered by this account now; "
            "choose one of its current privacy options."
        )
    if choices.allow_comment and creator.get("comment_disabled"):
        raise ApprovalRefused(
            "Comments are turned off for this account on TikTok, so they cannot be allowed."
        )


class PostEdit(BaseModel):
    """Changes a person makes before approving, within TikTok's limits."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "revision": 3,
                    "caption": "Three rituals, three teas.",
                    "hashtags": ["#tea", "#ritual", "#slowliving"],
                }
            ]
        },
    )
    revision: Annotated[int, Field(ge=0)] | None = None  # the revision the change was made on
    title: Annotated[str, Field(min_length=1)] | None = None
    caption: Annotated[str, Field(max_length=3900)] | None = None
    hashtags: (
        Annotated[
            list[Annotated[str, Field(pattern=r"^#[^\s#]+$")]], Field(min_length=3, max_length=5)
        ]
        | None
    ) = None

    @field_validator("title")
    @classmethod
    def _title_fits(cls, title: str | None) -> str | None:
        if title is not None and utf16_units(title) > 90:
            raise ValueError("the title is longer than TikTok's 90 characters (UTF-16 units)")
        return title
