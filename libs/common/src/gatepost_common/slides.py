"""The media service's slide composition, as the generator and approval call it: a stored
picture with its words set on it (the cover also with the title), in the account's style."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx


class SlideRefused(ValueError):
    """media cannot set the slide's words (a character no font has, too long): the reason."""


class SlideComposer:
    def __init__(self, http: httpx.AsyncClient, token: str) -> None:
        self.http = http
        self.token = token

    async def compose(
        self,
        picture_sha256: str,
        text: str,
        title: str | None,
        language: str,
        style: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The composed slide's `url` and `sha256`; the same inputs give the same slide."""
        body: dict[str, Any] = {
            "picture_sha256": picture_sha256,
            "text": text,
            "title": title,
            "language": language,
        }
        if style:
            body["style"] = style
        response = await self.http.post(
            "/internal/slides", json=body, headers={"X-Service-Token": self.token}
        )
        if response.status_code == 422:
            raise SlideRefused(str(response.json().get("detail")))
        response.raise_for_status()
        composed: dict[str, Any] = response.json()
        return composed


class StyleSource:
    """auth's internal routes about accounts: whose an account is, and its slide style."""

    def __init__(self, http: httpx.AsyncClient, token: str) -> None:
        self.http = http
        self.token = token

    async def owns(self, user_id: str, account_id: str) -> bool:
        """Whether the account is one of the user's connected TikTok accounts."""
        response = await self.http.get(
            f"/internal/users/{quote(user_id, safe='')}/accounts/{quote(account_id, safe='')}",
            headers={"X-Service-Token": self.token},
        )
        if response.status_code == 404:
            return False
        response.raise_for_status()
        return True

    async def style_of(self, account_id: str) -> dict[str, Any] | None:
        """The account's style; None (media's default) for an account auth does not know."""
        response = await self.http.get(
            f"/internal/accounts/{quote(account_id, safe='')}/style",
            headers={"X-Service-Token": self.token},
        )
        if response.status_code == 404:
            return None
        response.raise_for_status()
        style: dict[str, Any] = response.json()
        return style
