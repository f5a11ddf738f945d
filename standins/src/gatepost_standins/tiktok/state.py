"""The stand-in's in-memory world: apps, creators, grants, tokens, publish tasks and a clock."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Clock:
    """Real time plus an offset that the control API can advance."""

    offset: float = 0.0

    def now(self) -> float:
        return time.time() + self.offset


@dataclass
class App:
    client_key: str
    client_secret: str
    redirect_uris: list[str]
    platform: str = "web"  # "desktop" requires hex-SHA-256 PKCE
    strict_pkce: bool = False


@dataclass
class Creator:
    open_id: str
    username: str
    nickname: str
    private_account: bool = False
    comment_disabled: bool = False
    duet_disabled: bool = False
    stitch_disabled: bool = True
    max_video_post_duration_sec: int = 300

    def privacy_level_options(self) -> list[str]:
        if self.private_account:
            return ["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
        return ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]


@dataclass
class Grant:
    code: str
    client_key: str
    open_id: str
    scopes: list[str]
    redirect_uri: str
    expires_at: float
    code_challenge: str | None
    used: bool = False


@dataclass
class Token:
    access_token: str
    refresh_token: str
    client_key: str
    open_id: str
    scopes: list[str]
    expires_at: float
    refresh_expires_at: float
    revoked: bool = False


@dataclass
class Publish:
    publish_id: str
    open_id: str
    client_key: str
    post_mode: str
    privacy_level: str | None
    photo_urls: list[str]
    status: str = "PROCESSING_DOWNLOAD"
    fail_reason: str = ""
    post_ids: list[int] = field(default_factory=list)
    downloaded_bytes: int = 0


@dataclass
class World:
    clock: Clock = field(default_factory=Clock)
    apps: dict[str, App] = field(default_factory=dict)
    creators: dict[str, Creator] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    refresh_tokens: dict[str, Token] = field(default_factory=dict)
    publishes: dict[str, Publish] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)

    def issue_token(
        self, app: App, open_id: str, scopes: list[str], *, access_ttl: int, refresh_ttl: int
    ) -> Token:
        now = self.clock.now()
        token = Token(
            access_token=f"act.{secrets.token_urlsafe(32)}",
            refresh_token=f"rft.{secrets.token_urlsafe(32)}",
            client_key=app.client_key,
            open_id=open_id,
            scopes=scopes,
            expires_at=now + access_ttl,
            refresh_expires_at=now + refresh_ttl,
        )
        self.tokens[token.access_token] = token
        self.refresh_tokens[token.refresh_token] = token
        return token

    def live_token(self, access_token: str) -> Token | None:
        token = self.tokens.get(access_token)
        if token is None or token.revoked or token.expires_at <= self.clock.now():
            return None
        return token
