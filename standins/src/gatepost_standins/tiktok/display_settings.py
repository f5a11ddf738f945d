"""Settings of the stand-in's Display API (`TIKTOK_STANDIN_DISPLAY` as JSON, the `display` key of
a config file, or `PUT /_control/display`). Where TikTok's behaviour is unconfirmed the default is
the stricter reading; docs/tiktok-standin-display.md gives each one's source."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class DisplaySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # engagement and seeded post ids are a pure function of this seed
    seed: int = 29
    # "Unconfirmed: whether video/query returns photo posts" (tiktok-api.md §10)
    photo_posts_in_query: bool = False
    # video.list reads public posts only, and an unaudited app's posts are all SELF_ONLY; whether
    # an unaudited app reads a creator's other public posts is unconfirmed
    unaudited_reads_public_posts: bool = False
    # TikTok's own example asks for `fields=id,title,fps`: whether an unknown field is refused
    # (invalid_params) or ignored is unconfirmed
    unknown_fields_refused: bool = True
    # "600" a minute per endpoint in a one-minute sliding window; the unit (app or token) is not
    # stated, and the page speaks of "your application"
    rate_limit_per_minute: int = Field(default=600, ge=1)
    rate_limit_per: Literal["app", "token"] = "app"
