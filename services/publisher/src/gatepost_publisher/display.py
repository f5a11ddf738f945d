"""TikTok's Display API, the part insights read: `video/query` (scope video.list: a creator's
public posts by id, at most 20 a request) and `user/info`'s totals (scope user.info.stats)."""

from __future__ import annotations

import json
from typing import Any, Protocol

import httpx

from gatepost_common.tiktok import TikTokError, counted

VIDEO_FIELDS = (
    "id,create_time,cover_image_url,share_url,title,view_count,like_count,comment_count,share_count"
)
STATS_FIELDS = "follower_count,likes_count,video_count"
MAX_IDS = 20


class Display(Protocol):
    async def video_query(self, access_token: str, ids: list[str]) -> list[dict[str, Any]]: ...
    async def user_stats(self, access_token: str) -> dict[str, Any]: ...


def answer(response: httpx.Response) -> dict[str, Any]:
    """The `data` of TikTok's envelope (ids parsed by Python's json: exact integers, never
    floats), or TikTokError."""
    try:
        payload = json.loads(response.text)
    except ValueError:
        counted(response, "internal_error")
        raise TikTokError("internal_error", response.text[:200], "", response.status_code) from None
    error = payload.get("error") or {}
    code = error.get("code", "") or ("internal_error" if response.status_code >= 400 else "ok")
    counted(response, code)
    if code != "ok":
        raise TikTokError(
            code, error.get("message", ""), error.get("log_id", ""), response.status_code
        )
    data: dict[str, Any] = payload.get("data") or {}
    return data


class DisplayApi:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def video_query(self, access_token: str, ids: list[str]) -> list[dict[str, Any]]:
        """The public posts among `ids` TikTok returns, each `id` as its digits."""
        if len(ids) > MAX_IDS:
            raise ValueError(f"video/query takes at most {MAX_IDS} ids")
        response = await self.http.post(
            "/v2/video/query/",
            params={"fields": VIDEO_FIELDS},
            json={"filters": {"video_ids": ids}},
            headers={"Authorization": f"Bearer {access_token}"},
        )
        videos: list[dict[str, Any]] = answer(response).get("videos") or []
        return [{**video, "id": str(video.get("id", ""))} for video in videos]

    async def user_stats(self, access_token: str) -> dict[str, Any]:
        response = await self.http.get(
            "/v2/user/info/",
            params={"fields": STATS_FIELDS},
            headers={"Authorization": f"Bearer {access_token}"},
        )
        user: dict[str, Any] = answer(response).get("user") or {}
        return user
