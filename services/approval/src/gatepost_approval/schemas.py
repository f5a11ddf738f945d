"""What approval's routes answer: the response models of its OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from gatepost_approval.lifecycle import Post, PostStatus
from gatepost_common.events import (
    MediaType,
    PostMode,
    Progress,
    PublishOptions,
    StyleExample,
    Video,
)


class SlideView(BaseModel):
    """One picture of a photo post (a generated slide, or a person's own photo)."""

    index: int
    text: str
    prompt: str = ""
    image_url: str  # what TikTok is sent: the picture with the slide's words on it
    sha256: str | None = None
    illustration_url: str | None = None  # the picture without words
    illustration_sha256: str | None = None


class Moment(BaseModel):
    """One step of a post's life after approval, for its timeline."""

    state: str  # approved, waiting, uploading, processing, flagged, live, or how it ended
    at: datetime
    attempt: int = 1
    reason: str | None = None
    due_at: datetime | None = None  # waiting until (or scheduled for)
    publish_id: str | None = None
    link: str | None = None


class Stuck(BaseModel):
    """An approved post with no outcome and no word from the publisher for too long: why."""

    since: datetime
    reason: str


class PostView(BaseModel):
    """A post in the queue, as its person sees it."""

    post_id: str
    account_id: str
    topic_id: str | None = None  # none for a person's own media
    language: str | None = None
    title: str
    caption: str
    hashtags: list[str]
    slides: list[SlideView] | None = None
    status: PostStatus
    approved_at: datetime | None = None
    approved_by: str | None = None
    options: PublishOptions | None = None
    publish_id: str | None = None
    fail_reason: str | None = None
    tiktok_post_ids: list[str] | None = None
    created_at: datetime | None = None
    ai_generated: bool
    model: str | None = None  # the language model that wrote it
    # and the account's earlier titles it was shown as style examples (with its opt-in)
    style_examples: list[StyleExample] = []
    revision: int | None = None
    cover_index: int | None = None
    attempt: int | None = None
    retryable: bool | None = None
    origin: Literal["generated", "uploaded"] | None = None
    media_type: MediaType | None = None
    video: Video | None = None
    post_mode: PostMode | None = None
    progress: Progress | None = None
    tiktok_url: str | None = None
    publish_after: datetime | None = None  # the time the person chose, if any
    history: list[Moment] = []  # oldest first
    stuck: Stuck | None = None  # approved, and nothing heard of it for too long

    @classmethod
    def of(cls, doc: Post) -> PostView:
        """The stored post as its view (fields the view does not name stay behind)."""
        moments = sorted(doc.get("history") or [], key=lambda m: (m.get("attempt", 1), m["at"]))
        return cls.model_validate({**doc, "post_id": doc["_id"], "history": moments})


class Decision(BaseModel):
    """What a person decided about one post."""

    post_id: str
    status: PostStatus


class Languages(BaseModel):
    languages: list[str]  # those the person's posts are in
