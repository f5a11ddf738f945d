"""The approval gate's rules: what a person must choose before one post may be published."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gatepost_common.events import PrivacyLevel, PublishOptions


class ApprovalRefused(ValueError):
    """The choices do not satisfy TikTok's rules; the message is shown to the person."""


class ApprovalChoices(BaseModel):
    """What the approve dialog sends. Privacy has no default: the person must pick it."""

    model_config = ConfigDict(extra="forbid")
    privacy_level: PrivacyLevel
    allow_comment: bool = False
    disclosure: bool = False
    your_brand: bool = False
    branded_content: bool = False
    music_usage_consent: Literal[True]
    publish_after: datetime | None = None
    # the post's revision the person saw: approving refuses a post changed since
    revision: Annotated[int, Field(ge=0)] | None = None

    def options(self) -> PublishOptions:
        if self.disclosure and not (self.your_brand or self.branded_content):
            raise ApprovalRefused(
                "You need to indicate if your content promotes yourself, a third party, or both."
            )
        if self.branded_content and self.privacy_level == "SELF_ONLY":
            raise ApprovalRefused("Branded content visibility cannot be set to private.")
        return PublishOptions(
            privacy_level=self.privacy_level,
            disable_comment=not self.allow_comment,
            brand_content_toggle=self.disclosure and self.branded_content,
            brand_organic_toggle=self.disclosure and self.your_brand,
        )


QueueStatus = Literal[
    "awaiting_approval", "approved", "rejected", "published", "failed", "in_inbox", "unknown"
]

STATUS_FROM_TIKTOK: dict[str, QueueStatus] = {
    "PUBLISH_COMPLETE": "published",
    "SEND_TO_USER_INBOX": "in_inbox",
    "FAILED": "failed",
    "UNKNOWN": "unknown",
}


def check_against_creator(choices: ApprovalChoices, creator: dict[str, object]) -> None:
    """Re-check the choices against the account's fresh creator_info (UX rules 1b, 2b, 2c)."""
    blocked = creator.get("posting_blocked")
    if blocked:
        raise ApprovalRefused(
            f"TikTok says this account cannot post right now ({blocked}). Please try again later."
        )
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


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class PostEdit(BaseModel):
    """Changes a person makes before approving, within TikTok's limits."""

    model_config = ConfigDict(extra="forbid")
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
