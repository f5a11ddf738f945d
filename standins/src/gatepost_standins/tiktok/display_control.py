"""Control routes of the Display API (not TikTok's surface): its settings, each creator's hidden
audience clock, posts seeded straight into the world, and taking a post down."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from gatepost_standins.tiktok import engagement, videos
from gatepost_standins.tiktok.context import Context
from gatepost_standins.tiktok.display_settings import DisplaySettings
from gatepost_standins.tiktok.engagement import Audience, Video
from gatepost_standins.tiktok.processing import notify

TIKTOK_LAUNCH = 1_470_000_000  # 2016-08: no post is older; keeps seeded ids at 19 digits


class DisplayChange(BaseModel):
    """Settings to change; `app_audited` is the default app's audit state."""

    model_config = ConfigDict(extra="forbid")
    seed: int | None = None
    photo_posts_in_query: bool | None = None
    unaudited_reads_public_posts: bool | None = None
    unknown_fields_refused: bool | None = None
    rate_limit_per_minute: int | None = Field(default=None, ge=1)
    rate_limit_per: Literal["app", "token"] | None = None
    app_audited: bool | None = None


class AudienceClock(BaseModel):
    model_config = ConfigDict(extra="forbid")
    best_weekday: int = Field(ge=0, le=6)  # Monday = 0, UTC
    best_hour: int = Field(ge=0, le=23)  # UTC
    spread_h: float = Field(default=2.5, gt=0, le=24)


class NewPost(BaseModel):
    model_config = ConfigDict(extra="forbid")
    open_id: str
    create_time: int = Field(ge=TIKTOK_LAUNCH)  # unix seconds; a later one shows from then on
    privacy_level: Literal[
        "PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"
    ] = "PUBLIC_TO_EVERYONE"
    media_type: Literal["PHOTO", "VIDEO"]  # photos are read only with photo_posts_in_query
    title: str = ""
    description: str = ""


def display_control_routes(ctx: Context) -> APIRouter:
    router = APIRouter(prefix="/_control", tags=["control (not TikTok)"])

    def settings() -> dict[str, Any]:
        app = ctx.world.apps[ctx.config.client_key]
        return ctx.config.display.model_dump() | {"app_audited": app.audited}

    @router.get("/display")
    async def current() -> dict[str, Any]:
        return settings()

    @router.put("/display")
    async def change(changes: DisplayChange) -> dict[str, Any]:
        given = changes.model_dump(exclude_none=True)
        audited = given.pop("app_audited", None)
        if audited is not None:
            ctx.world.apps[ctx.config.client_key].audited = audited
        ctx.config.display = DisplaySettings(**(ctx.config.display.model_dump() | given))
        return settings()

    def creator(open_id: str) -> str:
        if open_id not in ctx.world.creators:
            raise HTTPException(404, "no such creator")
        return open_id

    @router.put("/audience/{open_id}")
    async def set_audience(open_id: str, clock: AudienceClock) -> dict[str, Any]:
        ctx.world.audiences[creator(open_id)] = Audience(**clock.model_dump())
        return await audience(open_id)

    @router.get("/audience/{open_id}")
    async def audience(open_id: str) -> dict[str, Any]:
        """The hidden truth: for tests and benchmarks, never for Gatepost itself."""
        found = videos.audience_of(ctx, creator(open_id))
        source = "set" if open_id in ctx.world.audiences else "seeded"
        return vars(found) | {"source": source}

    @router.post("/display/posts")
    async def seed_post(post: NewPost) -> dict[str, str]:
        """A published post, straight into the world (as if posted in the TikTok app)."""
        creator(post.open_id)
        video_id = fresh_id(ctx)
        length = engagement.duration(ctx.config.display.seed, post.media_type, video_id)
        video = Video(id=video_id, duration=length, **post.model_dump())
        ctx.world.videos[video.id] = video
        return {"id": video.id}

    @router.get("/display/posts")
    async def posts(open_id: str | None = None) -> list[dict[str, Any]]:
        """Every Display post with its numbers now, whoever may read it."""
        return [
            vars(v) | vars(videos.counts_of(ctx, v)) | {"public": v.public}
            for v in ctx.world.videos.values()
            if open_id is None or v.open_id == open_id
        ]

    @router.post("/display/posts/{video_id}/take-down")
    async def take_down(video_id: str) -> dict[str, Any]:
        """TikTok takes a public post down: it is no longer read, and the app is told."""
        video = ctx.world.videos.get(video_id)
        if video is None:
            raise HTTPException(404, "no such post")
        if video.taken_down_at is None:
            video.taken_down_at = ctx.world.clock.now()
            publish = ctx.world.publishes.get(video.publish_id or "")
            if publish is not None:
                await notify(
                    ctx, publish, "post.publish.no_longer_publicaly_available", post_id=video.id
                )
        return vars(video)

    return router


def fresh_id(ctx: Context) -> str:
    """A new 19-digit post id above 2^53, drawn from the seed (so benchmarks repeat)."""
    seed, taken = ctx.config.display.seed, ctx.world.videos
    attempt = len(taken)
    while True:
        candidate = str(7 * 10**18 + int(engagement.draw(seed, "id", attempt) * 2 * 10**18))
        if candidate not in taken:
            return candidate
        attempt += 1
