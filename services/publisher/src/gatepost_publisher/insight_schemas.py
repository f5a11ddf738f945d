"""What the insights routes answer (issue 29's contract): the response models of the publisher's
OpenAPI document, from which web/types/publisher.d.ts is generated."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class Reading(BaseModel):
    at: datetime
    views: int
    likes: int
    comments: int
    shares: int


class PostInsight(BaseModel):
    """One published post: its live link and its numbers over time, or why it has none."""

    post_id: str
    account_id: str
    title: str | None
    cover_url: str | None
    link: str | None
    # TikTok's public id: ALWAYS a string (19 digits exceed 2^53, which JSON.parse rounds)
    public_id: str | None
    published_at: datetime | None
    taken_down_at: datetime | None
    views: int | None
    likes: int | None
    comments: int | None
    shares: int | None
    read_at: datetime | None
    series: list[Reading]
    no_numbers_reason: str | None  # a plain sentence when there are no numbers


class PostInsights(BaseModel):
    posts: list[PostInsight]  # newest first


class HeatCell(BaseModel):
    weekday: int = Field(ge=0, le=6)  # Monday = 0, in the asked time zone
    hour: int = Field(ge=0, le=23)
    posts: int
    score: float | None  # the posts' mean views against the account's at the same age (log)


class SuggestedSlot(BaseModel):
    at: datetime  # UTC
    weekday: int = Field(ge=0, le=6)  # in the asked time zone
    hour: int = Field(ge=0, le=23)
    confidence: float = Field(ge=0, le=1)


class AccountInsight(BaseModel):
    account_id: str
    followers: int | None
    likes_total: int | None
    video_count: int | None
    views_total: int
    posts_with_numbers: int
    heatmap: list[HeatCell]  # 168 cells
    suggestions: list[SuggestedSlot]  # soonest first, at most 3
    suggestion_basis: Literal["own_posts", "default"]
    suggestion_note: str
    no_numbers_reason: str | None
