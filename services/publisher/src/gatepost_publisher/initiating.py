"""What the publisher sends TikTok to hand over an approved post: content/init for photos,
video/init or inbox/video/init for videos, each with only the fields TikTok takes in that mode."""

from __future__ import annotations

from typing import Any

from gatepost_common.events import PostApproved
from gatepost_common.tiktok import TikTokClient
from gatepost_common.tiktok_chunks import chunk_plan
from gatepost_publisher.settings import Settings


def init_call(tiktok: TikTokClient, settings: Settings, approved: PostApproved) -> Any:
    """The init call for this approval: photos by content/init, videos by video/init (or
    inbox/video/init for a draft), with only the fields TikTok takes in that mode."""
    inbox = approved.post_mode == "MEDIA_UPLOAD"
    video = approved.video
    if video is None:
        info = photo_post_info(approved, inbox)
        extra = {"is_aigc": True} if settings.photo_is_aigc else {}

        async def init_photo(token: str) -> tuple[str, str | None]:
            publish_id = await tiktok.init_photo_post(
                token,
                post_mode=approved.post_mode,
                post_info=info,
                photo_urls=approved.photo_urls,
                cover_index=approved.cover_index,
                extra=extra,
            )
            return publish_id, None

        return init_photo
    source: dict[str, Any] = {"source": video.transfer}
    if video.transfer == "PULL_FROM_URL":
        source["video_url"] = video.url
    else:
        chunk, count = chunk_plan(video.size, settings.upload_chunk_bytes)
        source |= {"video_size": video.size, "chunk_size": chunk, "total_chunk_count": count}

    async def init_video(token: str) -> tuple[str, str | None]:
        return await tiktok.init_video(
            token,
            inbox=inbox,
            post_info=None if inbox else video_post_info(approved),
            source_info=source,
        )

    return init_video


class Refused(Exception):
    """Nothing is sent, ever, for this approval: the reason says why."""


class Blocked(Exception):
    """creator_info says the creator cannot post right now."""


def check_creator(settings: Settings, approved: PostApproved, creator: dict[str, Any]) -> None:
    """creator_info, asked right before posting, still allows what the person approved."""
    if creator.get("posting_blocked"):
        raise Blocked(f"TikTok: {creator['posting_blocked']}")
    direct = approved.post_mode == "DIRECT_POST"  # a draft's privacy is chosen in TikTok
    if direct and approved.options.privacy_level not in creator.get("privacy_level_options", []):
        raise Refused(
            f"privacy level {approved.options.privacy_level} is no longer offered by this account"
        )
    video = approved.video
    if video is not None:
        longest = int(creator.get("max_video_post_duration_sec") or 0)
        if video.duration_s > longest:
            raise Refused(
                f"the video is {video.duration_s:.0f} s long; this account can post videos "
                f"of up to {longest} s"
            )
    pulled = approved.photo_urls + (
        [video.url] if video and video.transfer == "PULL_FROM_URL" else []
    )
    outside = [
        u for u in pulled if not any(u.startswith(p) for p in settings.verified_url_prefixes)
    ]
    if outside:
        raise Refused(f"a media URL is outside the verified prefixes: {outside[0]}")


def init_endpoint(approved: PostApproved) -> str:
    """The init call's rate-limit bucket (TikTok counts each endpoint per token)."""
    if approved.media_type == "PHOTO":
        return "content_init"
    return "inbox_video_init" if approved.post_mode == "MEDIA_UPLOAD" else "video_init"


def photo_post_info(approved: PostApproved, inbox: bool) -> dict[str, Any]:
    """A photo post's post_info: a draft takes only its title and description."""
    info: dict[str, Any] = {"title": approved.title, "description": approved.description}
    if inbox:
        return info
    options = approved.options.model_dump(
        include={
            "privacy_level",
            "disable_comment",
            "auto_add_music",
            "brand_content_toggle",
            "brand_organic_toggle",
        }
    )
    return info | options


def video_post_info(approved: PostApproved) -> dict[str, Any]:
    """A video's Direct Post post_info: its caption is TikTok's `title` (2200 characters)."""
    info = approved.options.model_dump(exclude={"auto_add_music"}, exclude_none=True)
    return {"title": approved.description or approved.title, **info}
