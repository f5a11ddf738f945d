"""Pure validation rules of the Content Posting API (no I/O): request bodies, URL ownership,
and the FILE_UPLOAD chunk plan."""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlparse

PRIVACY_LEVELS = {"PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"}
MB_DECIMAL, MIB = 1_000_000, 1024 * 1024
# "MB" is unconfirmed (10^6 or 2^20): accept both, i.e. the looser bound of each limit
MIN_CHUNK, MAX_CHUNK = 5 * MB_DECIMAL, 64 * MIB


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def photo_problem(body: dict[str, Any]) -> str | None:
    """Why a photo content/init body is `invalid_param`, or None."""
    post_info, source = body.get("post_info") or {}, body.get("source_info") or {}
    images = source.get("photo_images")
    if body.get("media_type") != "PHOTO":
        return "media_type must be PHOTO"
    if body.get("post_mode") not in ("DIRECT_POST", "MEDIA_UPLOAD"):
        return "post_mode must be DIRECT_POST or MEDIA_UPLOAD"
    if not isinstance(body.get("post_info"), dict):
        return "The request post info is empty or incorrect"  # a real answer's words
    if source.get("source") != "PULL_FROM_URL":
        return "source must be PULL_FROM_URL for photos"
    if not isinstance(images, list) or not 1 <= len(images) <= 35:
        return "photo_images must hold 1 to 35 URLs"
    if not all(isinstance(u, str) and u for u in images):
        return "photo_images must be URLs"
    cover = source.get("photo_cover_index")
    if not isinstance(cover, int) or isinstance(cover, bool) or not 0 <= cover < len(images):
        return "photo_cover_index is out of range"
    if utf16_units(str(post_info.get("title", ""))) > 90:
        return "title is longer than 90 UTF-16 runes"
    if utf16_units(str(post_info.get("description", ""))) > 4000:
        return "description is longer than 4000 UTF-16 runes"
    return None


def video_problem(body: dict[str, Any], *, direct: bool) -> str | None:
    post_info, source = body.get("post_info") or {}, body.get("source_info") or {}
    kind = source.get("source")
    if kind not in ("PULL_FROM_URL", "FILE_UPLOAD"):
        return "source must be PULL_FROM_URL or FILE_UPLOAD"
    if kind == "PULL_FROM_URL" and not isinstance(source.get("video_url"), str):
        return "video_url is required for PULL_FROM_URL"
    if kind == "FILE_UPLOAD":
        plan = chunk_plan_problem(
            source.get("video_size"), source.get("chunk_size"), source.get("total_chunk_count")
        )
        if plan:
            return plan
    if direct and utf16_units(str(post_info.get("title", ""))) > 2200:
        return "title is longer than 2200 UTF-16 runes"
    return None


def chunk_plan_problem(size: Any, chunk: Any, count: Any) -> str | None:
    """TikTok's media transfer rules: count = floor(size / chunk); chunks 5–64 MB except a
    smaller whole file; 1–1000 chunks. (The final chunk's 128 MB ceiling follows from these.)"""
    if not all(
        isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in (size, chunk, count)
    ):
        return "video_size, chunk_size and total_chunk_count must be positive integers"
    if size < MIN_CHUNK:
        if chunk != size or count != 1:
            return "a video under 5 MB is uploaded whole: chunk_size = video_size, one chunk"
        return None
    if not MIN_CHUNK <= chunk <= MAX_CHUNK:
        return "chunk_size must be between 5 MB and 64 MB"
    if count != size // chunk:
        return "total chunk count is invalid"
    if not 1 <= count <= 1000:
        return "total_chunk_count must be between 1 and 1000"
    return None


def chunk_bounds(size: int, chunk: int, count: int, index: int) -> tuple[int, int]:
    """First and last byte of chunk `index` (the final chunk absorbs the trailing bytes)."""
    first = index * chunk
    last = size - 1 if index == count - 1 else first + chunk - 1
    return first, last


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def url_verified(
    url: str, prefixes: list[str], domains: list[str], require_https: bool, ip_prefixes: bool
) -> bool:
    """A URL prefix matches exactly; a verified domain covers itself and its subdomains. TikTok
    verifies no prefix whose host is an IP address (unless `ip_prefixes`, for the local run)."""
    parsed = urlparse(url)
    if require_https and parsed.scheme != "https":
        return False
    if parsed.scheme not in ("https", "http"):
        return False
    host = parsed.hostname or ""
    if any(host == d or host.endswith(f".{d}") for d in domains):
        return True
    return any(
        url.startswith(prefix) and (ip_prefixes or not is_ip(urlparse(prefix).hostname or ""))
        for prefix in prefixes
    )
