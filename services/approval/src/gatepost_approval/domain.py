"""The approval gate's rules: what a person must choose before one post may be published."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

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
