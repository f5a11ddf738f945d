"""The TikTok API client (OAuth v2, user info, Content Posting), shaped after TikTok's protocols:
flat OAuth errors, the `data`/`error` envelope elsewhere, form-encoded token requests."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import httpx

from gatepost_common.metrics import TIKTOK_CALLS
from gatepost_common.tiktok_oauth import TikTokOAuthError, TokenSet

API_BASE = "https://open.tiktokapis.com"
# TikTok refuses `application/x-www-form-urlencoded;charset=UTF-8`: send the bare type.
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json; charset=UTF-8"}
CONTENT_RANGE = re.compile(r"^bytes \d+-(\d+)/\d+$")


POSTING_BLOCKED = frozenset(
    {"spam_risk_too_many_posts", "spam_risk_user_banned_from_posting", "reached_active_user_cap"}
)


class TikTokError(Exception):
    """An error answer from a Content Posting / Display endpoint (`error.code` != "ok")."""

    def __init__(self, code: str, message: str, log_id: str, http_status: int) -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.log_id = log_id
        self.http_status = http_status


def counted(response: httpx.Response, code: str) -> None:
    """Count one TikTok call by endpoint, HTTP status and TikTok's code."""
    TIKTOK_CALLS.add(
        1,
        {"endpoint": response.request.url.path, "http.status": response.status_code, "code": code},
    )


class TikTokClient:
    def __init__(self, http: httpx.AsyncClient, *, client_key: str, client_secret: str) -> None:
        self.http = http
        self.client_key = client_key
        self.client_secret = client_secret

    async def _oauth(self, path: str, form: dict[str, str]) -> dict[str, Any]:
        body = {"client_key": self.client_key, "client_secret": self.client_secret, **form}
        response = await self.http.post(path, content=urlencode(body), headers=FORM)
        payload: dict[str, Any] = response.json() if response.content.strip() else {}
        error = str(payload.get("error") or ("server_error" if response.status_code >= 400 else ""))
        counted(response, error or "ok")
        if error:
            raise TikTokOAuthError(
                error,
                str(payload.get("error_description", "")),
                str(payload.get("log_id", "")),
                response.status_code,
            )
        return payload

    @staticmethod
    def _tokens(payload: dict[str, Any]) -> TokenSet:
        return TokenSet(
            open_id=payload["open_id"],
            access_token=payload["access_token"],
            expires_in=int(payload["expires_in"]),
            refresh_token=payload["refresh_token"],
            refresh_expires_in=int(payload["refresh_expires_in"]),
            scope=payload.get("scope", ""),
        )

    async def exchange_code(
        self, code: str, redirect_uri: str, code_verifier: str | None = None
    ) -> TokenSet:
        form = {"code": code, "grant_type": "authorization_code", "redirect_uri": redirect_uri}
        if code_verifier:
            form["code_verifier"] = code_verifier
        return self._tokens(await self._oauth("/v2/oauth/token/", form))

    async def refresh(self, refresh_token: str) -> TokenSet:
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        return self._tokens(await self._oauth("/v2/oauth/token/", form))

    async def revoke(self, access_token: str) -> None:
        await self._oauth("/v2/oauth/revoke/", {"token": access_token})

    async def _data(
        self, response: httpx.Response, tolerated: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        try:
            payload = response.json()
        except ValueError:
            counted(response, "internal_error")
            raise TikTokError(
                "internal_error", response.text[:200], "", response.status_code
            ) from None
        error = payload.get("error") or {}
        code = error.get("code", "") or ("internal_error" if response.status_code >= 500 else "")
        counted(response, code or "ok")
        if code in tolerated and response.status_code == 200:
            return {**(payload.get("data") or {}), "posting_blocked": code}
        if code != "ok":
            raise TikTokError(
                code, error.get("message", ""), error.get("log_id", ""), response.status_code
            )
        data: dict[str, Any] = payload.get("data") or {}
        return data

    async def user_info(self, access_token: str, fields: list[str]) -> dict[str, Any]:
        response = await self.http.get(
            "/v2/user/info/",
            params={"fields": ",".join(fields)},
            headers={"Authorization": f"Bearer {access_token}"},
        )
        user: dict[str, Any] = (await self._data(response)).get("user", {})
        return user

    async def _post(
        self, access_token: str, path: str, body: dict[str, Any] | None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {access_token}", **JSON}
        response = await self.http.post(path, json=body, headers=headers)
        return await self._data(response)

    async def creator_info(self, access_token: str) -> dict[str, Any]:
        """The creator's current settings. When the creator cannot post now, TikTok answers
        HTTP 200 with a cap code: it is returned as `posting_blocked`, not raised."""
        headers = {"Authorization": f"Bearer {access_token}", **JSON}
        response = await self.http.post("/v2/post/publish/creator_info/query/", headers=headers)
        return await self._data(response, POSTING_BLOCKED)

    async def init_photo_post(
        self,
        access_token: str,
        *,
        post_mode: str,
        post_info: dict[str, Any],
        photo_urls: list[str],
        cover_index: int,
        extra: dict[str, Any] | None = None,
    ) -> str:
        """`extra`: top-level fields TikTok's references disagree on (e.g. `is_aigc`)."""
        body: dict[str, Any] = {
            **(extra or {}),
            "media_type": "PHOTO",
            "post_mode": post_mode,
            "post_info": post_info,
            "source_info": {
                "source": "PULL_FROM_URL",
                "photo_images": photo_urls,
                "photo_cover_index": cover_index,
            },
        }
        data = await self._post(access_token, "/v2/post/publish/content/init/", body)
        return str(data["publish_id"])

    async def publish_status(self, access_token: str, publish_id: str) -> dict[str, Any]:
        return await self._post(
            access_token, "/v2/post/publish/status/fetch/", {"publish_id": publish_id}
        )

    async def init_video(
        self,
        access_token: str,
        *,
        inbox: bool,
        post_info: dict[str, Any] | None,
        source_info: dict[str, Any],
    ) -> tuple[str, str | None]:
        """`video/init` (Direct Post, with post_info) or `inbox/video/init` (a draft in the
        creator's inbox: source_info only). Returns the publish_id and, for FILE_UPLOAD, the
        upload URL (valid for an hour)."""
        path = "/v2/post/publish/inbox/video/init/" if inbox else "/v2/post/publish/video/init/"
        body: dict[str, Any] = {"source_info": source_info}
        if not inbox:
            body["post_info"] = post_info or {}
        data = await self._post(access_token, path, body)
        upload_url = data.get("upload_url")
        return str(data["publish_id"]), str(upload_url) if upload_url else None

    async def put_chunk(
        self, upload_url: str, data: bytes, first: int, total: int, mime: str
    ) -> tuple[int, int]:
        """PUT one chunk of a FILE_UPLOAD. Returns TikTok's HTTP status (206 more to come, 201
        complete, 416 out of step, 403 the URL expired) and how many bytes TikTok holds, read from
        its `Content-Range` answer (-1 when it gave none)."""
        response = await self.http.put(
            upload_url,
            content=data,
            headers={
                "Content-Type": mime,
                "Content-Range": f"bytes {first}-{first + len(data) - 1}/{total}",
            },
        )
        counted(response, str(response.status_code))
        held = -1
        if match := CONTENT_RANGE.match(response.headers.get("content-range", "")):
            held = int(match.group(1)) + 1
        return response.status_code, held
