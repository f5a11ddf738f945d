"""The auth client that hands out fresh TikTok access tokens."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import quote

import httpx

from gatepost_publisher.domain import Handling


@dataclass(frozen=True)
class Grant:
    """A fresh access token, and the TikTok creator it speaks for (two Gatepost users may connect
    the same creator: TikTok's daily post limit is the creator's)."""

    token: str
    open_id: str


class AuthRefused(Exception):
    """auth would not give a token: the account needs reconnecting, is gone, or auth is busy."""

    def __init__(self, handling: Handling, code: str, reason: str) -> None:
        super().__init__(reason)
        self.handling, self.code, self.reason = handling, code, reason


class AuthClient:
    """auth's token routes; `http` signs its calls as the publisher (see access)."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def access_token(
        self, account_id: str, user_id: str, rejected: str | None = None
    ) -> Grant:
        """A valid token for the account, which must belong to `user_id`. `rejected`: the token
        TikTok just refused, named to auth by its hash (auth refreshes only if it is current)."""
        body: dict[str, object] = {
            "current_token_rejected": rejected is not None,
            "user_id": user_id,
        }
        if rejected is not None:
            body["rejected_token_sha256"] = hashlib.sha256(rejected.encode()).hexdigest()
        try:
            response = await self.http.post(f"/internal/accounts/{account_id}/token", json=body)
        except httpx.HTTPError:
            raise AuthRefused(
                Handling.RETRY, "auth_unreachable", "auth could not be reached"
            ) from None
        if response.status_code == 409:  # the post waits for the person to reconnect
            raise AuthRefused(
                Handling.DEFER,
                "needs_reauth",
                "waiting for the account to be reconnected: TikTok ended its authorisation",
            )
        if response.status_code == 404:
            raise AuthRefused(
                Handling.FAIL, "account_unknown", "the TikTok account is not connected (any more)"
            )
        if response.status_code != 200:
            raise AuthRefused(Handling.RETRY, "auth_unavailable", "auth could not refresh now")
        answer = response.json()
        return Grant(str(answer["access_token"]), str(answer["open_id"]))

    async def creator_of(self, user_id: str, account_id: str) -> str | None:
        """The TikTok creator of the user's connected account; None when it is not theirs."""
        response = await self.http.get(f"/internal/users/{user_id}/accounts/{account_id}")
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return str(response.json()["open_id"])

    async def learns_from_posts(self, user_id: str, account_id: str) -> bool:
        """Whether the person switched "what worked, fed back" on for their account (False for
        an account that is not theirs)."""
        path = f"/internal/users/{quote(user_id, safe='')}/accounts/{quote(account_id, safe='')}"
        response = await self.http.get(path)
        if response.status_code == 404:
            return False
        response.raise_for_status()
        return bool(response.json().get("learn_from_posts"))


class VideoUnreadable(Exception):
    """The hosted video could not be read as approved (gone, changed, or media unreachable)."""


class HostedVideo:
    """A video's bytes, read from media's stable URL a range at a time (FILE_UPLOAD)."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def read(self, url: str, first: int, last: int, size: int) -> bytes:
        try:
            answer = await self.http.get(url, headers={"Range": f"bytes={first}-{last}"})
        except httpx.HTTPError as error:
            raise VideoUnreadable(f"media did not answer: {type(error).__name__}") from None
        total = answer.headers.get("content-range", "").rpartition("/")[2]
        if (
            answer.status_code != 206
            or total != str(size)
            or len(answer.content) != last - first + 1
        ):
            raise VideoUnreadable(
                f"the video at {url} is not the approved one (HTTP {answer.status_code}, "
                f"size {total or '?'} instead of {size})"
            )
        return answer.content
