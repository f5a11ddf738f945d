"""Every TikTok call the publisher makes goes through here: a fresh token from auth, the
cross-replica rate limit, one audit entry per attempt, and TikTok's answers sorted into what to do
(refresh once, back off, retry with jitter, defer, fail)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

import httpx

from gatepost_common.audit import AuditLog
from gatepost_common.ratelimit import RateLimiter
from gatepost_common.tiktok import TikTokError
from gatepost_publisher.adapters import AuthClient, AuthRefused
from gatepost_publisher.domain import Handling, handling, readable
from gatepost_publisher.settings import Settings

T = TypeVar("T")
MAX_BACK_OFFS = 5


class CallFailed(Exception):
    """A call that did not succeed, with what to do about it. `uncertain`: the request may have
    reached TikTok (a time-out or dropped connection), so repeating it could post twice."""

    def __init__(self, what: Handling, code: str, reason: str, uncertain: bool = False) -> None:
        super().__init__(reason)
        self.handling = what
        self.code = code
        self.reason = reason
        self.uncertain = uncertain


@dataclass
class TikTokCalls:
    settings: Settings
    auth: AuthClient
    limiter: RateLimiter
    audit: AuditLog

    def limit(self, endpoint: str) -> int:
        s = self.settings
        return {
            "creator_info": s.creator_info_per_minute,
            "content_init": s.init_per_minute,
            "status_fetch": s.status_per_minute,
        }[endpoint]

    async def call(
        self,
        account: str,
        user: str,
        endpoint: str,
        send: Callable[[str], Awaitable[T]],
        *,
        post_id: str,
        repeatable: bool = True,
    ) -> T:
        """Make one logical call. `repeatable`: a transient failure may be retried as is."""
        rejected = refreshed = False
        transient = back_offs = 0
        while True:
            try:
                token = await self.auth.access_token(account, user, rejected=rejected)
            except AuthRefused as refused:
                raise CallFailed(refused.handling, refused.code, refused.reason) from None
            await self.limiter.acquire(f"{account}:{endpoint}", self.limit(endpoint))
            started = datetime.now(UTC)
            try:
                result = await send(token)
            except TikTokError as error:
                await self.record(
                    account, post_id, endpoint, started, error.http_status, error.code, error.log_id
                )
                what = handling(error.code, error.http_status)
                if what is Handling.REFRESH and not refreshed:
                    rejected = refreshed = True
                    continue
                if what is Handling.RETRY and not repeatable:
                    # a server error or an unreadable answer: TikTok may have acted (created the
                    # post) before failing, so the request is never sent again
                    raise CallFailed(
                        what, error.code, readable(error.code, error.message), uncertain=True
                    ) from None
                if what is Handling.BACK_OFF and back_offs < MAX_BACK_OFFS:
                    back_offs += 1
                    await asyncio.sleep(self.settings.rate_limited_backoff_s)
                    continue
                if what is Handling.RETRY and transient < self.settings.transient_attempts - 1:
                    transient += 1
                    await asyncio.sleep(self.jitter(transient))
                    continue
                raise CallFailed(what, error.code, readable(error.code, error.message)) from None
            except (httpx.TimeoutException, httpx.TransportError) as error:
                await self.record(account, post_id, endpoint, started, 0, type(error).__name__, "")
                if repeatable and transient < self.settings.transient_attempts - 1:
                    transient += 1
                    await asyncio.sleep(self.jitter(transient))
                    continue
                raise CallFailed(
                    Handling.RETRY,
                    "network",
                    f"TikTok did not answer {endpoint}",
                    uncertain=not repeatable,
                ) from None
            rejected = False
            await self.record(account, post_id, endpoint, started, 200, "ok", "")
            return result

    def jitter(self, attempt: int) -> float:
        base: float = self.settings.transient_backoff_s * 2 ** (attempt - 1)
        return base * random.uniform(0.5, 1.5)

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
