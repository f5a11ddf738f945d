"""The stand-in really pulls each photo URL, as TikTok does, and fails the publish on a bad one."""

from __future__ import annotations

import io
import secrets

import httpx
from PIL import Image

from gatepost_standins.tiktok.config import TikTokStandinConfig
from gatepost_standins.tiktok.state import Publish


async def pull_photos(publish: Publish, config: TikTokStandinConfig) -> None:
    async with httpx.AsyncClient(follow_redirects=False, timeout=30) as http:
        for url in publish.photo_urls:
            reason = await _check(http, url, publish, config)
            if reason:
                publish.status, publish.fail_reason = "FAILED", reason
                return
    if publish.post_mode == "MEDIA_UPLOAD":
        publish.status = "SEND_TO_USER_INBOX"
        return
    publish.status = "PUBLISH_COMPLETE"
    if publish.privacy_level == "PUBLIC_TO_EVERYONE":
        publish.post_ids = [7_000_000_000_000_000_000 + secrets.randbelow(10**18)]


async def _check(
    http: httpx.AsyncClient, url: str, publish: Publish, config: TikTokStandinConfig
) -> str | None:
    try:
        response = await http.get(url)
    except httpx.HTTPError:
        return "photo_pull_failed"
    if response.status_code != 200 or len(response.content) > config.max_image_bytes:
        return "photo_pull_failed"
    publish.downloaded_bytes += len(response.content)
    try:
        with Image.open(io.BytesIO(response.content)) as image:
            if image.format not in ("JPEG", "WEBP"):
                return "file_format_check_failed"
            if max(image.size) > config.max_image_side:
                return "picture_size_check_failed"
    except Exception:
        return "file_format_check_failed"
    return None
