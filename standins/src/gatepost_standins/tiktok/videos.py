"""The Display API's posts: who may read which, their numbers now, and how TikTok writes them."""

from __future__ import annotations

from typing import Any

from gatepost_standins.tiktok import engagement
from gatepost_standins.tiktok.context import Context
from gatepost_standins.tiktok.engagement import Audience, Counts, Video
from gatepost_standins.tiktok.state import Publish, Token

COVER_TTL_S = 6 * 3600  # "the link has a TTL of 6 hours"


def readable(ctx: Context, token: Token, video: Video) -> bool:
    """video.list reads the caller's own public posts that exist by now (photos per setting)."""
    settings = ctx.config.display
    return (
        video.open_id == token.open_id
        and video.public
        and video.create_time <= ctx.world.clock.now()
        and (settings.photo_posts_in_query or video.media_type != "PHOTO")
        and (ctx.app_of(token).audited or settings.unaudited_reads_public_posts)
    )


def audience_of(ctx: Context, open_id: str) -> Audience:
    found = ctx.world.audiences.get(open_id)
    return found or engagement.default_audience(ctx.config.display.seed, open_id)


def followers_of(ctx: Context, open_id: str) -> int:
    """The creator's followers: a seeded base, plus a few of every public post's viewers."""
    seed = ctx.config.display.seed
    viewers = sum(c.views for c in counts_of_creator(ctx, open_id))
    return engagement.base_followers(seed, open_id) + viewers // 250


def counts_of(ctx: Context, video: Video) -> Counts:
    seed = ctx.config.display.seed
    followers = engagement.base_followers(seed, video.open_id)
    audience = audience_of(ctx, video.open_id)
    return engagement.counts(seed, video, audience, followers, ctx.world.clock.now())


def counts_of_creator(ctx: Context, open_id: str) -> list[Counts]:
    return [counts_of(ctx, v) for v in ctx.world.videos.values() if v.open_id == open_id]


def creator_stats(ctx: Context, open_id: str) -> dict[str, int]:
    """`user/info`'s stats fields (scope user.info.stats)."""
    now = ctx.world.clock.now()
    public = [v for v in ctx.world.videos.values() if v.open_id == open_id and v.public]
    return {
        "follower_count": followers_of(ctx, open_id),
        "following_count": engagement.following(ctx.config.display.seed, open_id),
        "likes_count": sum(counts_of(ctx, v).likes for v in public),
        "video_count": sum(1 for v in public if v.create_time <= now),
    }


def render(ctx: Context, video: Video, fields: list[str]) -> dict[str, Any]:
    """The video object with the requested fields; `id` a string, as TikTok writes it."""
    creator = ctx.world.creators.get(video.open_id)
    username = creator.username if creator else "unknown"
    kind = "photo" if video.media_type == "PHOTO" else "video"
    share_url = f"https://www.tiktok.example/@{username}/{kind}/{video.id}"
    expires = int(ctx.world.clock.now()) + COVER_TTL_S
    numbers = counts_of(ctx, video)
    values: dict[str, Any] = {
        "id": video.id,
        "create_time": video.create_time,
        "cover_image_url": f"https://p16-sign.tiktokcdn.example/obj/{video.id}.jpeg"
        f"?x-expires={expires}",
        "share_url": share_url,
        "video_description": video.description,
        "duration": video.duration,
        "height": 1920,
        "width": 1080,
        "title": video.title,
        "embed_html": f'<blockquote class="tiktok-embed" cite="{share_url}" '
        f'data-video-id="{video.id}"></blockquote>',
        "embed_link": f"https://www.tiktok.example/player/v1/{video.id}",
        "like_count": numbers.likes,
        "comment_count": numbers.comments,
        "share_count": numbers.shares,
        "view_count": numbers.views,
    }
    return {f: values[f] for f in fields}


def published(ctx: Context, publish: Publish, post_id: int, create_time: float) -> Video:
    """A post that went through Content Posting and got its public id is a Display post too."""
    video = Video(
        id=str(post_id),
        open_id=publish.open_id,
        create_time=int(create_time),
        privacy_level=publish.privacy_level or "PUBLIC_TO_EVERYONE",  # an inbox post made public
        media_type=publish.media_type,
        title=publish.title,
        description=publish.description,
        duration=engagement.duration(ctx.config.display.seed, publish.media_type, str(post_id)),
        publish_id=publish.publish_id,
    )
    ctx.world.videos[video.id] = video
    return video
