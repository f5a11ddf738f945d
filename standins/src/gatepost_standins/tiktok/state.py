"""The stand-in's in-memory world: apps, creators, grants, tokens, publish tasks, uploads, rate
windows and a clock that the control API can move forward."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import secrets
import time
import uuid
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from gatepost_standins.tiktok.engagement import Audience, Video

DAY_S = 86400.0


@dataclass
class Clock:
    """Real time plus an offset, so 24-hour expiries and daily windows are testable in seconds."""

    offset: float = 0.0
    moved: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds
        self.moved.set()  # wakes every wait in `until`; the next ones wait on a fresh event
        self.moved = asyncio.Event()

    async def until(self, moment: float) -> None:
        """Return once the clock reads `moment`, in real time or moved on by `advance`."""
        while (left := moment - self.now()) > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.moved.wait(), left)


@dataclass
class App:
    client_key: str
    client_secret: str
    redirect_uris: list[str]
    platform: str = "web"
    strict_pkce: bool = False
    audited: bool = True
    webhook_url: str | None = None  # each app has its own callback URL (None: the config's)
    sandbox: bool = False  # only target users may authorise it; posts only SELF_ONLY
    target_users: list[str] = field(default_factory=list)  # usernames


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
    banned: bool = False
    app_version: str = "35.0.0"
    # sandbox-like: TikTok keeps this creator's posts private whatever was asked
    forced_private: bool = False

    def privacy_level_options(self, audited: bool) -> list[str]:
        if not audited:
            return ["SELF_ONLY"]  # UNCONFIRMED exact list; TikTok allows only SELF_ONLY then
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
    refresh_used: bool = False


@dataclass
class Upload:
    upload_id: str
    upload_token: str
    video_size: int
    chunk_size: int
    total_chunk_count: int
    expires_at: float
    received: int = 0
    head: bytes = b""
    # what arrived, so tests can check the chunk plan and the bytes TikTok would have
    chunks: list[tuple[int, int]] = field(default_factory=list)
    digest: Any = field(default_factory=hashlib.sha256)

    def described(self) -> dict[str, Any]:
        return {
            "video_size": self.video_size,
            "chunk_size": self.chunk_size,
            "total_chunk_count": self.total_chunk_count,
            "received": self.received,
            "chunks": self.chunks,
            "sha256": self.digest.hexdigest() if self.received == self.video_size else None,
        }


@dataclass
class Publish:
    publish_id: str
    open_id: str
    client_key: str
    access_token: str
    media_type: str  # PHOTO | VIDEO
    post_mode: str  # DIRECT_POST | MEDIA_UPLOAD
    source: str  # PULL_FROM_URL | FILE_UPLOAD
    privacy_level: str | None
    urls: list[str]
    created_at: float
    status: str = "PROCESSING_DOWNLOAD"
    fail_reason: str = ""
    post_ids: list[int] = field(default_factory=list)
    downloaded_bytes: int = 0
    upload: Upload | None = None
    title: str = ""
    description: str = ""
    inbox_at: float | None = None  # when it reached the creator's inbox (a draft)
    photo_sizes: list[tuple[int, int] | None] = field(default_factory=list)  # each one pulled

    @property
    def terminal(self) -> bool:
        return self.status in ("PUBLISH_COMPLETE", "FAILED")

    @property
    def inbox(self) -> bool:
        return self.post_mode == "MEDIA_UPLOAD"

    def draft_expired(self, now: float, ttl_s: float) -> bool:
        """A draft the creator did not finish in time: it is no longer in their inbox."""
        return self.inbox_at is not None and now >= self.inbox_at + ttl_s


@dataclass
class World:
    clock: Clock = field(default_factory=Clock)
    apps: dict[str, App] = field(default_factory=dict)
    creators: dict[str, Creator] = field(default_factory=dict)
    consenting: str = ""  # open_id of the creator who signs in next
    grants: dict[str, Grant] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    refresh_tokens: dict[str, Token] = field(default_factory=dict)
    publishes: dict[str, Publish] = field(default_factory=dict)
    uploads: dict[str, Publish] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    init_calls: Counter[str] = field(default_factory=Counter)
    picture_verdicts: dict[str, str | None] = field(default_factory=dict)  # by SHA-256
    picture_sizes: dict[str, tuple[int, int]] = field(default_factory=dict)  # by SHA-256
    calls: dict[tuple[str, str], deque[float]] = field(default_factory=lambda: defaultdict(deque))
    webhooks: list[dict[str, Any]] = field(default_factory=list)
    refreshes: list[dict[str, Any]] = field(default_factory=list)
    # the Display API's posts by id, and the audience clocks tests set (display.py)
    videos: dict[str, Video] = field(default_factory=dict)
    audiences: dict[str, Audience] = field(default_factory=dict)

    def add_creator(self, **fields: Any) -> Creator:
        creator = Creator(open_id=fields.pop("open_id", f"open-{uuid.uuid4()}"), **fields)
        self.creators[creator.open_id] = creator
        self.consenting = self.consenting or creator.open_id
        return creator

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

    def over_rate_limit(self, access_token: str, path: str, limit: int) -> bool:
        """Sliding one-minute window per token and endpoint; a refused call does not count."""
        window = self.calls[(access_token, path)]
        now = self.clock.now()
        while window and window[0] <= now - 60:
            window.popleft()
        if len(window) >= limit:
            return True
        window.append(now)
        return False

    def posts_today(self, open_id: str) -> int:
        since = self.clock.now() - DAY_S
        return sum(
            1
            for p in self.publishes.values()
            if p.open_id == open_id
            and p.post_mode == "DIRECT_POST"
            and p.created_at > since
            and p.fail_reason != "publish_cancelled"
        )

    def pending_shares(self, open_id: str) -> int:
        since = self.clock.now() - DAY_S
        return sum(
            1
            for p in self.publishes.values()
            if p.open_id == open_id
            and p.inbox
            and p.created_at > since
            and p.status != "FAILED"
            and p.status != "PUBLISH_COMPLETE"
        )

    def active_users(self, client_key: str) -> set[str]:
        since = self.clock.now() - DAY_S
        return {
            p.open_id
            for p in self.publishes.values()
            if p.client_key == client_key and p.created_at > since
        }
