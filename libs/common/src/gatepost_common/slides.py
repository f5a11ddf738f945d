"""Internal calls the generator and approval make about slides: media's composition (a stored
picture with its words set on it, the cover also with the title, in the account's style), auth's
answers about accounts (whose an account is, its style), and the patience such calls need while
another service restarts."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

import httpx

TRANSIENT = (httpx.TimeoutException, httpx.TransportError)


async def patiently(
    send: Callable[[], Awaitable[httpx.Response]], attempts: int = 6, pause_s: float = 0.5
) -> httpx.Response:
    """A call to another service that may be restarting (a deploy, a crash): dropped
    connections, time-outs and 5xx answers are tried again with growing pauses (about 15 s in
    all); the last answer, or error, stands. Only for idempotent calls."""
    for attempt in range(attempts - 1):
        try:
            response = await send()
            if response.status_code < 500:
                return response
        except TRANSIENT:
            pass
        await asyncio.sleep(pause_s * 2**attempt)
    return await send()


class SlideRefused(ValueError):
    """media cannot set the slide's words (a character no font has, too long): the reason."""


class SlideComposer:
    """media's slide route; `http` signs its calls as the calling service (see access)."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

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
        response = await patiently(  # composing is idempotent: same inputs, same slide
            lambda: self.http.post("/internal/slides", json=body)
        )
        if response.status_code == 422:
            raise SlideRefused(str(response.json().get("detail")))
        response.raise_for_status()
        composed: dict[str, Any] = response.json()
        return composed


class StyleSource:
    """auth's internal routes about accounts: whose an account is, and its slide style."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def _found(self, *path: str) -> dict[str, Any] | None:
        """GET an internal route of auth (path segments quoted); None when it answers 404."""
        response = await self.http.get(
            "/internal/" + "/".join(quote(part, safe="") for part in path)
        )
        if response.status_code == 404:
            return None
        response.raise_for_status()
        found: dict[str, Any] = response.json()
        return found

    async def owns(self, user_id: str, account_id: str) -> bool:
        """Whether the account is one of the user's connected TikTok accounts."""
        return await self._found("users", user_id, "accounts", account_id) is not None

    async def style_of(self, account_id: str) -> dict[str, Any] | None:
        """The account's style; None (media's default) for an account auth does not know."""
        return await self._found("accounts", account_id, "style")
