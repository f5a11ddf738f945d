"""What the publisher's use cases need of the world, as protocols: MongoDB, TikTok and auth
implement them in production (wired in `bootstrap`), in-memory fakes in unit tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from gatepost_common.mongo import Document
from gatepost_publisher.adapters import Grant
from gatepost_publisher.lifecycle import Job, Move

T = TypeVar("T")


class JobStore(Protocol):
    async def add(self, job: Document) -> bool: ...
    async def get(self, job_id: str) -> Job | None: ...
    async def claim_due(
        self, owner: str, now: datetime, lease: timedelta, limit: int = 1
    ) -> list[Job]: ...
    async def renew(self, job_id: str, owner: str, until: datetime) -> bool: ...
    async def move(
        self,
        job_id: str,
        move: Move,
        fields: Document,
        *,
        owner: str | None = None,
        post_ids: list[str] | None = None,
    ) -> bool: ...
    async def note(self, job_id: str, owner: str, fields: Document) -> bool: ...
    async def adopt(self, job_id: str, fields: Document) -> bool: ...
    async def orphaned_attempts(self, now: datetime) -> list[Job]: ...
    async def add_post_ids(self, job_id: str, post_ids: list[str]) -> None: ...
    async def watch_visibility(self, job_id: str, due: datetime | None) -> None: ...
    async def visibility_due(self, now: datetime) -> list[Job]: ...
    async def flag(self, job_id: str, flag: str) -> bool: ...
    async def pending_outcomes(self, finished_before: datetime) -> list[Job]: ...
    async def outcomes_sent(self, job_ids: list[str]) -> None: ...
    async def by_publish_id(self, publish_id: str) -> Job | None: ...
    async def latest_attempt(self, post_id: str, user_id: str) -> Job | None: ...


class Audit(Protocol):
    async def append(self, account_id: str, kind: str, **detail: Any) -> None: ...
    def batched(self) -> AbstractAsyncContextManager[None]: ...
    async def written(self) -> None: ...


class Cap(Protocol):
    cap: int

    async def reserve(self, holder: str, post_id: str, now: datetime) -> datetime | None: ...
    async def release(self, holder: str, post_id: str) -> None: ...


class Shares(Protocol):
    cap: int

    async def reserve(self, creator: str, job_id: str, now: datetime) -> datetime | None: ...
    async def release(self, job_id: str) -> None: ...


class AppWindow(Protocol):
    """The creators the app posted for within 24 hours (see `headroom.AppCreators`)."""

    cap: int

    async def reserve(self, creator: str, job_id: str, now: datetime) -> datetime | None: ...
    async def counted(self, now: datetime) -> list[datetime]: ...
    async def release(self, creator: str, job_id: str) -> None: ...


class VideoSource(Protocol):
    """Reads a hosted video's bytes (FILE_UPLOAD): `first` to `last` inclusive."""

    async def read(self, url: str, first: int, last: int, size: int) -> bytes: ...


class Served(Protocol):
    """The SHA-256 of what a media URL serves now (a passing failure raises CallFailed)."""

    async def sha256(self, url: str) -> str: ...
    async def size(self, url: str) -> tuple[int, int] | None: ...  # a photo's width, height


class Locks(Protocol):
    async def take(self, creator: str, job_id: str, now: datetime, until: datetime) -> bool: ...
    async def give_back(self, creator: str, job_id: str) -> None: ...


class Calls(Protocol):
    """TikTok, one call at a time (see `calls.TikTokCalls`)."""

    async def free_in(self, account: str, endpoint: str) -> timedelta: ...
    async def grant(self, account: str, user: str, rejected: str | None = None) -> Grant: ...
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
    ) -> T: ...
