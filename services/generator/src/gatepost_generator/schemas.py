"""What the generator's routes answer: the response models of its OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from gatepost_common.events import TopicSource
from gatepost_generator.domain import Topic, TopicStatus


class TopicCost(BaseModel):
    """What a topic cost: text tokens, images made, and the image tokens they were billed."""

    text_tokens: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    images: int = 0
    image_tokens: int = 0
    rate_limited: int = 0  # answers the provider refused for its limits (retried)

    @classmethod
    def of(cls, stored: dict[str, Any] | None) -> TopicCost:
        counts = {k: v for k, v in (stored or {}).items() if isinstance(v, int)}
        text = counts.get("prompt_tokens", 0) + counts.get("completion_tokens", 0)
        return cls.model_validate({**counts, "text_tokens": text})


class TopicView(BaseModel):
    topic_id: str
    text: str
    account_id: str
    status: TopicStatus
    stage: str | None = None  # the generation step under way
    reason: str | None = None  # why it failed
    post_id: str | None = None  # the post it became
    language: str | None = None
    source: TopicSource | None = None
    import_id: str | None = None
    attempts: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    usage: TopicCost

    @classmethod
    def of(cls, doc: Topic) -> TopicView:
        return cls.model_validate(
            {**doc, "topic_id": doc["_id"], "usage": TopicCost.of(doc.get("usage"))}
        )


class QueuedTopic(BaseModel):
    topic_id: str
    status: TopicStatus


class ImportRow(BaseModel):
    """One row's verdict: a topic, or the reason it was refused."""

    row: int
    accepted: bool
    topic_id: str | None = None
    error: str | None = None


class ImportResult(BaseModel):
    import_id: str | None  # none when no row was accepted
    accepted: int
    rejected: int
    rows: list[ImportRow]


class ImportProgress(BaseModel):
    import_id: str
    total: int
    finished: int  # generated, failed or deleted
    counts: dict[TopicStatus, int]


class Illustration(BaseModel):
    url: str
    sha256: str
    images: int  # image calls it took
