"""What a carousel is, and the topic's life: draft → generating → generated | failed."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

SLIDES = 7
TITLE_LIMIT_UTF16 = 90  # TikTok's photo-post title limit, counted in UTF-16 code units


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class SlideDraft(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Annotated[str, Field(min_length=1, max_length=200)]
    image_prompt: Annotated[str, Field(min_length=1, max_length=1000)]


class CarouselText(BaseModel):
    """The LLM's structured answer, validated before anything is rendered."""

    model_config = ConfigDict(extra="forbid")
    title: Annotated[str, Field(min_length=1)]
    caption: Annotated[str, Field(min_length=1, max_length=4000)]
    hashtags: Annotated[
        list[Annotated[str, Field(pattern=r"^#\S+$")]], Field(min_length=3, max_length=5)
    ]
    slides: Annotated[list[SlideDraft], Field(min_length=SLIDES, max_length=SLIDES)]

    @field_validator("title")
    @classmethod
    def _title_fits_tiktok(cls, title: str) -> str:
        if utf16_length(title) > TITLE_LIMIT_UTF16:
            raise ValueError(f"title is longer than {TITLE_LIMIT_UTF16} UTF-16 units")
        return title


class GenerationFailed(Exception):
    """The topic cannot become a post; the message is the reason the library shows."""


def post_id_for(topic_id: str) -> str:
    """One topic makes one post: a redelivered or retried topic reuses the same post id."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"gatepost:post:{topic_id}"))
