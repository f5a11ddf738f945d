"""Every TikTok call the publisher makes goes through here: a slot of TikTok's per-minute limit
(shared by all replicas), a token from auth (used again for `token_reuse_s`), one audit entry per
request, and TikTok's answer sorted into what to do. Nothing here waits: when no slot is free the
call says when one will be (`NotYet`), and the job, not the worker, waits for it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol, TypeVar

import httpx

from gatepost_common.audit import AuditLog
from gatepost_common.clock import Clock
from gatepost_common.ratelimit import RateLimiter
from gatepost_common.tiktok import TikTokError
from gatepost_publisher.adapters import AuthRefused, Grant
from gatepost_publisher.domain import Handling, handling, readable
from gatepost_publisher.settings import Settings

T = TypeVar("T")
MAX_KEPT_GRANTS = 10_000


class CallFailed(Exception):
    """A call that did not succeed, with what to do about it. `uncertain`: the request may have
    reached TikTok and been acted on (a server error, an unreadable answer, a time-out), so sending
    it again could post twice."""

    def __init__(self, what: Handling, code: str, reason: str, uncertain: bool = False) -> None:
        super().__init__(reason)
        self.handling = what
        self.code = code
        self.reason = reason
        self.uncertain = uncertain


class NotYet(Exception):
    """TikTok's per-minute limit has no free slot for this call: try again after `wait`."""

    def __init__(self, wait: timedelta) -> None:
        super().__init__(f"no rate-limit slot for {wait.total_seconds():.1f} s")
        self.wait = wait


class Tokens(Protocol):
    async def access_token(
        self, account_id: str, user_id: str, rejected: str | None = None
    ) -> Grant: ...


@dataclass
class TikTokCalls:
    settings: Settings
    auth: Tokens
    limiter: RateLimiter
    audit: AuditLog
    clock: Clock
    # (account, user) → (when it was fetched, the grant)
    grants: dict[tuple[str, str], tuple[datetime, Grant]] = field(default_factory=dict)

    def limit(self, endpoint: str) -> int:
        s = self.settings
        return {
            "creator_info": s.creator_info_per_minute,
            "content_init": s.init_per_minute,
            "video_init": s.init_per_minute,
            "inbox_video_init": s.init_per_minute,
            "status_fetch": s.status_per_minute,
        }[endpoint]

    def key(self, account: str, endpoint: str) -> str:
        return f"{account}:{endpoint}"  # TikTok counts per access token: one per account

    async def free_in(self, account: str, endpoint: str) -> timedelta:
        return await self.limiter.free_in(self.key(account, endpoint), self.limit(endpoint))

    async def grant(self, account: str, user: str, rejected: str | None = None) -> Grant:
        """A token for the user's account: the one fetched from auth in the last
        `token_reuse_s`, unless it is `rejected` (the token TikTok just refused: auth refreshes
        it, or hands over the one another replica had refreshed meanwhile)."""
        now, key = self.clock.now(), (account, user)
        reuse = timedelta(seconds=self.settings.token_reuse_s)
        kept = self.grants.get(key)
        if kept is not None and rejected is None and kept[0] <= now < kept[0] + reuse:
            return kept[1]
        self.grants.pop(key, None)
        try:
            grant = await self.auth.access_token(account, user, rejected=rejected)
        except AuthRefused as refused:
            raise CallFailed(refused.handling, refused.code, refused.reason) from None
        if len(self.grants) > MAX_KEPT_GRANTS:  # forget the old ones
            self.grants = {k: v for k, v in self.grants.items() if v[0] >= now - reuse}
        self.grants[key] = (now, grant)
        return grant

    async def call(
        self,
        account: str,
        user: str,
        endpoint: str,
        send: Callable[[str], Awaitable[T]],
        *,
        post_id: str,
        repeatable: bool = True,
        grant: Grant | None = None,
    ) -> T:
        """One request (a second one only when TikTok rejected the token, after a refresh).
        `repeatable`: False for content/init, whose failures are reported `uncertain` when TikTok
        may have acted. `grant`: a token this step was given already."""
        rejected = False
        while True:
            wait = await self.limiter.try_acquire(self.key(account, endpoint), self.limit(endpoint))
            if wait > timedelta(0):
                raise NotYet(wait)
            if grant is None or rejected:
                grant = await self.grant(account, user, rejected=grant.token if grant else None)
            token = grant.token
            started = datetime.now(UTC)
            try:
                result = await send(token)
            except TikTokError as error:
                await self.record(
                    account, post_id, endpoint, started, error.http_status, error.code, error.log_id
                )
                what = handling(error.code, error.http_status)
                if what is Handling.REFRESH and not rejected:
                    rejected = True  # TikTok did not act on a rejected token: ask again, once
                    continue
                raise CallFailed(
                    what,
                    error.code,
                    readable(error.code, error.message),
                    # a server error or an unreadable answer: TikTok may have acted before failing
                    uncertain=what is Handling.RETRY and not repeatable,
                ) from None
            except (httpx.TimeoutException, httpx.TransportError) as error:
                await self.record(account, post_id, endpoint, started, 0, type(error).__name__, "")
                unsent = isinstance(error, httpx.ConnectError | httpx.ConnectTimeout)
                raise CallFailed(
                    Handling.RETRY,
                    "network",
                    f"TikTok did not answer {endpoint}",
                    uncertain=not repeatable and not unsent,
                ) from None
            await self.record(account, post_id, endpoint, started, 200, "ok", "")
            return result

    async def record(
        self,
        account: str,
        post_id: str,
        endpoint: str,
        started: datetime,
        status: int,
        code: str,
        log_id: str,
    ) -> None:
        ms = int((datetime.now(UTC) - started).total_seconds() * 1000)
        await self.audit.append(
            account,
            "tiktok_call",
            post_id=post_id,
            endpoint=endpoint,
            http_status=status,
            code=code,
            log_id=log_id,
            ms=ms,
        )
