"""The events of the contract (ARCHITECTURE.md): each one's data, its type and its schema. The
CloudEvents 1.0 envelope around them: gatepost_common.cloud_event."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from gatepost_common import topics
from gatepost_common.event_data import IDENTIFIER, EventData, Identifier, NonEmpty, utf16_units
from gatepost_common.post_approved import (
    MediaType,
    PostApproved,
    PostMode,
    PrivacyLevel,
    PublishOptions,
    Sha256,
    Video,
    VideoMime,
)
from gatepost_common.slide_style import SlideFormat

TopicSource = Literal["api", "bulk", "external"]


class TopicCreated(EventData):
    TYPE: ClassVar[str] = topics.TOPIC_CREATED
    SCHEMA: ClassVar[str] = "gatepost/topic.created/v1"

    topic_id: Identifier
    user_id: Identifier
    account_id: Identifier
    text: Annotated[str, Field(min_length=1, max_length=2000)]
    source: TopicSource = "external"


class Slide(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    index: Annotated[int, Field(ge=0, le=6)]
    prompt: NonEmpty
    text: str
    # the published slide: the illustration with the slide's words set on it by media
    image_url: NonEmpty
    sha256: Sha256
    # the model's illustration without words (kept, so the words can be set again when edited)
    illustration_url: str | None = None
    illustration_sha256: Sha256 | None = None


class StyleExample(BaseModel):
    """One earlier title shown to the model: which post, and its views when it was taken."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    post_id: NonEmpty
    title: Annotated[str, Field(min_length=1, max_length=90)]
    views: Annotated[int, Field(ge=0)]


class PostGenerated(EventData):
    TYPE: ClassVar[str] = topics.POST_GENERATED
    SCHEMA: ClassVar[str] = "gatepost/post.generated/v1"

    post_id: NonEmpty
    topic_id: NonEmpty
    user_id: NonEmpty
    account_id: NonEmpty
    language: NonEmpty
    title: Annotated[str, Field(min_length=1, max_length=90)]
    caption: Annotated[str, Field(max_length=4000)]
    hashtags: Annotated[list[NonEmpty], Field(min_length=3, max_length=5)]
    slides: Annotated[list[Slide], Field(min_length=7, max_length=7)]
    ai_generated: Literal[True] = True
    model: NonEmpty
    # provenance: the account's earlier titles the model was shown as style examples (its
    # best-performing ones, with the account's opt-in); empty when none were
    style_examples: Annotated[list[StyleExample], Field(max_length=5)] = Field(default_factory=list)
    # the shape its pictures were drawn in (the account's when generation began): a slide drawn
    # again later keeps it, whatever the account's shape is by then
    slide_format: SlideFormat = "1080x1080"


# WITHDRAWN: the person withdrew the approval before it was handed to TikTok; nothing was sent
PublishStatus = Literal["PUBLISH_COMPLETE", "SEND_TO_USER_INBOX", "FAILED", "UNKNOWN", "WITHDRAWN"]


class PostPublished(EventData):
    TYPE: ClassVar[str] = topics.POST_PUBLISHED
    SCHEMA: ClassVar[str] = "gatepost/post.published/v1"

    post_id: NonEmpty
    account_id: NonEmpty
    publish_id: str | None
    status: PublishStatus
    fail_reason: str | None = None
    post_ids: list[str] = Field(default_factory=list)
    privacy_level: PrivacyLevel | None = None
    attempt: Annotated[int, Field(ge=1, le=100)] = 1  # the approval's attempt this outcome ends
    # FAILED for a reason that may pass (TikTok's own errors, an expired authorisation, a photo
    # TikTok could not fetch): the person may publish the post again
    retryable: bool = False
    # the live post on TikTok, once TikTok gave its public id (it may come later: post.progressed)
    link: str | None = None


ProgressState = Literal["waiting", "uploading", "processing", "flagged", "live"]


class Progress(BaseModel):
    """The publisher's word on an approved post (a post.progressed without its ids), as approval
    keeps it: the newest by `at` is the post's progress, every one is in its history."""

    state: ProgressState
    at: datetime
    reason: str | None = None
    due_at: datetime | None = None
    publish_id: str | None = None
    link: str | None = None


class PostProgressed(EventData, Progress):
    """What happens to an approved post before and after its outcome, as the publisher sees it:
    waiting (a daily cap, TikTok's limits, a reconnect: with the reason and until when), the video
    uploading, TikTok processing it, flagged for a person (approved for everyone, still not
    public), live (TikTok gave the public post: its link). The newest `at` wins."""

    TYPE: ClassVar[str] = topics.POST_PROGRESSED
    SCHEMA: ClassVar[str] = "gatepost/post.progressed/v1"

    post_id: NonEmpty
    account_id: NonEmpty
    attempt: Annotated[int, Field(ge=1, le=100)] = 1


class PostMeasured(EventData):
    """A live post's numbers, read by the publisher at one point of its reading plan (`point`:
    the plan's step, so the same reading is the same event). Best effort, as post.progressed:
    the next reading supersedes a lost one."""

    TYPE: ClassVar[str] = topics.POST_MEASURED
    SCHEMA: ClassVar[str] = "gatepost/post.measured/v1"

    post_id: NonEmpty
    account_id: NonEmpty
    point: Annotated[int, Field(ge=0)]
    at: datetime
    views: Annotated[int, Field(ge=0)]
    likes: Annotated[int, Field(ge=0)]
    comments: Annotated[int, Field(ge=0)]
    shares: Annotated[int, Field(ge=0)]


class TikTokWebhook(EventData):
    """One TikTok webhook delivery, its signature verified once, by the publisher's receiver: auth
    applies `authorization.removed`, the publisher the `post.publish.*` events. The CloudEvent's id
    is the sha256 of TikTok's body, so a delivery TikTok repeats is recognised by its consumers."""

    TYPE: ClassVar[str] = topics.TIKTOK_WEBHOOK
    SCHEMA: ClassVar[str] = "gatepost/tiktok.webhook/v1"

    event: NonEmpty  # e.g. post.publish.complete, authorization.removed
    user_openid: str  # the creator it concerns
    create_time: int
    # TikTok's `content`: a JSON object in a string (publish_id, reason, post_id, …)
    content: str = "{}"
    body: NonEmpty  # the request body as TikTok signed it

    @classmethod
    def received(cls, body: bytes) -> TikTokWebhook:
        """The event in a verified body; ValueError when it is not a TikTok event."""
        text = body.decode("utf-8")
        sent = json.loads(text)
        if not isinstance(sent, dict):
            raise ValueError("a TikTok webhook is a JSON object")
        return cls(
            event=str(sent.get("event") or ""),
            user_openid=str(sent.get("user_openid") or ""),
            create_time=int(sent.get("create_time") or 0),
            content=str(sent.get("content") or "{}"),
            body=text,
        )

    def details(self) -> dict[str, Any]:
        """`content`, read (an empty object when it is not one)."""
        try:
            found = json.loads(self.content)
        except ValueError:
            return {}
        return found if isinstance(found, dict) else {}

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.body.encode()).hexdigest()


EVENT_TYPES: tuple[type[EventData], ...] = (
    TopicCreated,
    PostGenerated,
    PostApproved,
    PostPublished,
    PostProgressed,
    TikTokWebhook,
    PostMeasured,
)
__all__ = [  # re-exported: the contract's events and their field types are read from here
    "IDENTIFIER",
    "EventData",
    "Identifier",
    "MediaType",
    "NonEmpty",
    "PostApproved",
    "PostMode",
    "PrivacyLevel",
    "PublishOptions",
    "Video",
    "VideoMime",
    "utf16_units",
]
