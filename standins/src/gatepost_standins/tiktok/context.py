"""What every part of the stand-in shares: the world, the settings, background tasks."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import Request
from fastapi.responses import JSONResponse

from gatepost_standins.tiktok.config import TikTokStandinConfig
from gatepost_standins.tiktok.state import App, Token, World

SCOPE_OF_FIELD = {
    "open_id": "user.info.basic",
    "union_id": "user.info.basic",
    "avatar_url": "user.info.basic",
    "avatar_url_100": "user.info.basic",
    "avatar_large_url": "user.info.basic",
    "display_name": "user.info.basic",
    "bio_description": "user.info.profile",
    "profile_deep_link": "user.info.profile",
    "is_verified": "user.info.profile",
    "username": "user.info.profile",
    "follower_count": "user.info.stats",
    "following_count": "user.info.stats",
    "likes_count": "user.info.stats",
    "video_count": "user.info.stats",
}
KNOWN_SCOPES = {*SCOPE_OF_FIELD.values(), "video.publish", "video.upload", "video.list"}


def log_id() -> str:
    return uuid.uuid4().hex.upper()[:34]


def envelope(
    data: dict[str, Any], code: str = "ok", message: str = "", status: int = 200
) -> JSONResponse:
    """The Content Posting / Display shape: `data` plus `error` (with `log_id`)."""
    body = {"data": data, "error": {"code": code, "message": message, "log_id": log_id()}}
    return JSONResponse(body, status_code=status)


def oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    """The OAuth endpoints' flat error shape."""
    return JSONResponse(
        {"error": error, "error_description": description, "log_id": log_id()}, status_code=status
    )


# The stand-in's pulls and webhook deliveries at once: a few connections carry hundreds a second
# on one machine, and httpx's pool checks every connection on every request (at 32, that check
# was most of the stand-in's CPU while benchmarks drained 1,600 posts).
OUTGOING = 8


@dataclass
class Context:
    config: TikTokStandinConfig
    world: World = field(default_factory=World)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.config.random_seed)
        self._http: httpx.AsyncClient | None = None
        self._outgoing: asyncio.Semaphore | None = None
        self.populate()

    @property
    def http(self) -> httpx.AsyncClient:
        """One client for every pull and webhook delivery (TikTok follows no redirects): a client
        per request builds a TLS context each time, the stand-in's costliest work under load."""
        if self._http is None:
            self._http = httpx.AsyncClient(
                timeout=60,
                follow_redirects=False,
                limits=httpx.Limits(max_connections=OUTGOING, max_keepalive_connections=OUTGOING),
            )
        return self._http

    @property
    def outgoing(self) -> asyncio.Semaphore:
        """Requests the stand-in makes at once (pulls, webhooks); the rest wait here, in order,
        not in the HTTP client's pool, whose queue costs time in proportion to its length."""
        if self._outgoing is None:
            self._outgoing = asyncio.Semaphore(OUTGOING)
        return self._outgoing

    def populate(self) -> None:
        c = self.config
        self.world.apps[c.client_key] = App(
            c.client_key,
            c.client_secret,
            c.redirect_uris,
            c.platform,
            c.strict_pkce,
            c.audited,
            sandbox=c.sandbox,
            target_users=c.sandbox_target_users,
        )
        self.world.add_creator(
            username=c.creator_username,
            nickname=c.creator_nickname,
            private_account=c.creator_private_account,
        )

    def oauth_error(self, error: str, description: str, status: int = 400) -> JSONResponse:
        """The OAuth endpoints' flat error, with HTTP 200 when TikTok is set to answer so."""
        return oauth_error(error, description, 200 if self.config.oauth_errors_http_200 else status)

    def reset(self, config: TikTokStandinConfig) -> None:
        for task in self.tasks:
            task.cancel()
        self.config, self.world = config, World()
        self.rng = random.Random(config.random_seed)
        self.populate()

    def spawn(self, job: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(job)
        self.tasks.add(task)  # keep a reference, or the task may be collected mid-run
        task.add_done_callback(self.tasks.discard)

    def bearer(self, request: Request, scopes: tuple[str, ...]) -> Token | JSONResponse:
        """The caller's live token with one of `scopes`, else the answer TikTok gives."""
        header = request.headers.get("authorization", "")
        token = self.world.live_token(header[7:]) if header.startswith("Bearer ") else None
        if token is None:
            return envelope(
                {},
                "access_token_invalid",
                "The access token is invalid or not found in the request.",
                401,
            )
        if scopes and not any(s in token.scopes for s in scopes):
            return envelope(
                {},
                "scope_not_authorized",
                f"The user did not authorize the scope required: {scopes[0]}",
                401,
            )
        limit = self.config.rate_limits.get(request.url.path)
        if limit is not None and self.world.over_rate_limit(
            token.access_token, request.url.path, limit
        ):
            return envelope(
                {}, "rate_limit_exceeded", "API rate limit exceeded, please retry later.", 429
            )
        return token

    def app_of(self, token: Token) -> App:
        return self.world.apps[token.client_key]
