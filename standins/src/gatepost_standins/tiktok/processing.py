"""After init: the stand-in really downloads what PULL_FROM_URL names (no redirects followed),
checks it as TikTok would, and walks the publish through TikTok's status machine, sending the
matching webhooks."""

from __future__ import annotations

import asyncio
import hashlib
import io
import secrets

import httpx
from PIL import Image

from gatepost_standins.tiktok import videos
from gatepost_standins.tiktok.context import Context
from gatepost_standins.tiktok.state import Publish
from gatepost_standins.tiktok.webhooks import deliver

VIDEO_SIGNATURES = (b"ftyp", b"\x1a\x45\xdf\xa3")  # MP4/MOV box at offset 4, WebM/EBML at 0


def looks_like_video(head: bytes) -> bool:
    return head[4:8] == VIDEO_SIGNATURES[0] or head[:4] == VIDEO_SIGNATURES[1]


async def process(ctx: Context, publish: Publish) -> None:
    """Run one publish to its next resting state."""
    await asyncio.sleep(ctx.config.processing_delay_s)
    if publish.status == "FAILED":  # cancelled meanwhile
        return
    reason = await pull(ctx, publish) if publish.source == "PULL_FROM_URL" else uploaded(publish)
    if reason:
        await fail(ctx, publish, reason)
        return
    if stays_in_progress(ctx):
        return  # TikTok has the media and never settles: no status change, no webhook
    if publish.inbox:
        publish.status, publish.inbox_at = "SEND_TO_USER_INBOX", ctx.world.clock.now()
        await notify(ctx, publish, "post.publish.inbox_delivered")
        return
    await complete(ctx, publish)


async def complete(ctx: Context, publish: Publish) -> None:
    publish.status = "PUBLISH_COMPLETE"
    posted_at = ctx.world.clock.now()
    await notify(ctx, publish, "post.publish.complete")
    creator = ctx.world.creators.get(publish.open_id)
    if creator is not None and creator.forced_private:
        return  # posted, but only its creator sees it: no public id, ever
    if publish.privacy_level == "PUBLIC_TO_EVERYONE" or (
        publish.inbox and not publish.privacy_level
    ):
        # moderation runs on the stand-in's clock: moving it on cuts the wait short
        await asyncio.sleep(0)
        await ctx.world.clock.until(posted_at + ctx.config.moderation_delay_s)
        post_id = 7_000_000_000_000_000_000 + secrets.randbelow(2 * 10**18)  # 19 digits, int64
        publish.post_ids.append(post_id)
        videos.published(ctx, publish, post_id, posted_at)
        # status/fetch lists ids as int64; webhooks carry them as strings (captured payloads)
        await notify(ctx, publish, "post.publish.publicly_available", post_id=str(post_id))


async def fail(ctx: Context, publish: Publish, reason: str) -> None:
    publish.status, publish.fail_reason = "FAILED", reason
    await notify(ctx, publish, "post.publish.failed", reason=reason)


async def notify(ctx: Context, publish: Publish, event: str, **extra: object) -> None:
    content = {
        "publish_id": publish.publish_id,
        "publish_type": "INBOX_SHARE" if publish.inbox else "DIRECT_PUBLISH",
        **extra,
    }
    ctx.spawn(deliver(ctx, event, content, publish.open_id, publish.client_key))


def uploaded(publish: Publish) -> str | None:
    upload = publish.upload
    if upload is None or not looks_like_video(upload.head):
        return "file_format_check_failed"
    return None


async def pull(ctx: Context, publish: Publish) -> str | None:
    for url in publish.urls:
        async with ctx.outgoing:
            reason = await (
                pull_photo(ctx, ctx.http, publish, url)
                if publish.media_type == "PHOTO"
                else pull_video(ctx, ctx.http, publish, url)
            )
        if reason:
            return reason
    return None


async def pull_photo(
    ctx: Context, http: httpx.AsyncClient, publish: Publish, url: str
) -> str | None:
    try:
        answer = await http.get(url)
    except httpx.HTTPError:
        return "photo_pull_failed"
    if answer.status_code != 200:  # a redirect is a failure too: TikTok follows none
        return "photo_pull_failed"
    data = answer.content
    publish.downloaded_bytes += len(data)
    if len(data) > ctx.config.max_image_bytes:
        return "picture_size_check_failed"
    # the same bytes get the same verdict: each distinct picture is decoded once (a benchmark
    # posts one carousel's pictures thousands of times; decoding is the stand-in's costliest work)
    digest = hashlib.sha256(data).hexdigest()
    if digest not in ctx.world.picture_verdicts:
        ctx.world.picture_verdicts[digest] = check_picture(ctx, data, digest)
    publish.photo_sizes.append(ctx.world.picture_sizes.get(digest))
    return ctx.world.picture_verdicts[digest]


def check_picture(ctx: Context, data: bytes, digest: str) -> str | None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            ctx.world.picture_sizes[digest] = image.size  # what was pulled, for tests to read
            if image.format not in ("JPEG", "WEBP"):
                return "file_format_check_failed"
            if not size_accepted(ctx, image.size):
                return "picture_size_check_failed"
            image.load()
    except Exception:
        return "file_format_check_failed"
    return None


def size_accepted(ctx: Context, size: tuple[int, int]) -> bool:
    """At most `max_image_side` on the side the setting names (the short one by default) and at
    least `min_image_side` on both."""
    c = ctx.config
    bounded = min(size) if c.photo_size_side == "short" else max(size)
    return bounded <= c.max_image_side and min(size) >= c.min_image_side


def stays_in_progress(ctx: Context) -> bool:
    """The "stuck in progress" fault: the next n publishes, or this share of them."""
    c = ctx.config
    if c.next_stuck_publishes > 0:
        c.next_stuck_publishes -= 1
        return True
    return c.stuck_publish_rate > 0 and ctx.rng.random() < c.stuck_publish_rate


async def pull_video(
    ctx: Context, http: httpx.AsyncClient, publish: Publish, url: str
) -> str | None:
    head = b""
    try:
        async with http.stream("GET", url) as answer:
            if answer.status_code != 200:
                return "video_pull_failed"
            async for part in answer.aiter_bytes():
                head = head or part[:16]
                publish.downloaded_bytes += len(part)
                if publish.downloaded_bytes > ctx.config.max_video_bytes:
                    return "file_format_check_failed"
    except httpx.HTTPError:
        return "video_pull_failed"
    return None if looks_like_video(head) else "file_format_check_failed"
