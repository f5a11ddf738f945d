"""Pure validation rules of the Content Posting API (no I/O): request bodies, URL ownership,
and the FILE_UPLOAD chunk plan."""

from __future__ import annotations

import ipaddress
from typing import Any, Literal
from urllib.parse import urlparse

PRIVACY_LEVELS = {"PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"}
MB_DECIMAL, MIB = 1_000_000, 1024 * 1024
# "MB" in TikTok's chunk rules is unconfirmed (10^6 or 2^20). "strict" takes the tighter bound of
# each limit (chunks of at least 5 MiB, at most 64,000,000 bytes: what either reading refuses is
# refused); "either" the looser one, as the stand-in accepted before.
MbBase = Literal["strict", "decimal", "binary", "either"]
CHUNK_LIMITS: dict[str, tuple[int, int]] = {  # (smallest chunk, largest chunk)
    "strict": (5 * MIB, 64 * MB_DECIMAL),
    "decimal": (5 * MB_DECIMAL, 64 * MB_DECIMAL),
    "binary": (5 * MIB, 64 * MIB),
    "either": (5 * MB_DECIMAL, 64 * MIB),
}
CHUNK_SIZE_INVALID = "The chunk size is invalid"  # real answers' words (tiktok-api.md §9)
COUNT_INVALID = "The total chunk count is invalid"


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


PHOTO_BODY = {"media_type", "post_mode", "post_info", "source_info"}
PHOTO_POST_INFO = {
    "title",
    "description",
    "privacy_level",
    "disable_comment",
    "auto_add_music",
    "brand_content_toggle",
    "brand_organic_toggle",
}


# documented for videos only; on a photo TikTok ignores them (field reports) or refuses them
VIDEO_ONLY_FIELDS = {"disable_duet", "disable_stitch", "video_cover_timestamp_ms", "is_aigc"}
VideoFields = Literal["ignored", "refused"]


def photo_problem(
    body: dict[str, Any], is_aigc_accepted: bool = False, video_fields: VideoFields = "ignored"
) -> str | None:
    """Why a photo content/init body is `invalid_params`, or None. Fields TikTok documents only
    for videos (disable_duet, video_cover_timestamp_ms, is_aigc, …) are ignored on photos, or
    refused when `video_fields` says so (a top-level is_aigc then only if accepted)."""
    post_info, source = body.get("post_info") or {}, body.get("source_info") or {}
    ignored = VIDEO_ONLY_FIELDS if video_fields == "ignored" else set()
    # at the top level only is_aigc is in question (one copy of the photo reference shows it)
    taken = PHOTO_BODY | ({"is_aigc"} if is_aigc_accepted else set()) | (ignored & {"is_aigc"})
    if unknown := set(body) - taken:
        return f"unknown field for a photo post: {sorted(unknown)[0]}"
    if isinstance(post_info, dict) and (extra := set(post_info) - PHOTO_POST_INFO - ignored):
        return f"post_info field not taken for photos: {sorted(extra)[0]}"
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


def video_problem(body: dict[str, Any], *, direct: bool, mb_base: MbBase = "strict") -> str | None:
    post_info, source = body.get("post_info") or {}, body.get("source_info") or {}
    kind = source.get("source")
    if kind not in ("PULL_FROM_URL", "FILE_UPLOAD"):
        return "source must be PULL_FROM_URL or FILE_UPLOAD"
    if kind == "PULL_FROM_URL" and not isinstance(source.get("video_url"), str):
        return "video_url is required for PULL_FROM_URL"
    if kind == "FILE_UPLOAD":
        plan = chunk_plan_problem(
            source.get("video_size"),
            source.get("chunk_size"),
            source.get("total_chunk_count"),
            mb_base,
        )
        if plan:
            return plan
    if direct and utf16_units(str(post_info.get("title", ""))) > 2200:
        return "title is longer than 2200 UTF-16 runes"
    return None


def chunk_plan_problem(size: Any, chunk: Any, count: Any, mb_base: MbBase = "strict") -> str | None:
    """TikTok's media transfer rules: count = floor(size / chunk); chunks 5–64 MB, the final one
    taking the trailing bytes; 1–1000 chunks. A file sent in one chunk declares chunk_size equal
    to its size, and no single chunk is over 64 MB (real answers: "The chunk size is invalid")."""
    if not all(
        isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in (size, chunk, count)
    ):
        return "video_size, chunk_size and total_chunk_count must be positive integers"
    smallest, largest = CHUNK_LIMITS[mb_base]
    if count == 1 or chunk >= size:  # one chunk: the whole file
        if chunk != size or size > largest:
            return CHUNK_SIZE_INVALID
        return None if count == 1 else COUNT_INVALID
    if not smallest <= chunk <= largest:
        return CHUNK_SIZE_INVALID
    if count != size // chunk or not 1 <= count <= 1000:
        return COUNT_INVALID
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
