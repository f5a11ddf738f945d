"""Per-person daily quotas, counted in MongoDB: one document per person, kind and UTC day, and
taking `n` is one conditional `$inc` of it (`count ≤ limit − n`), upserted on the day's first
use. No count-then-insert: on a replica set two takes racing for the last unit are serialised by
the document, and the loser's filter no longer matches, so no day ever counts past its limit. A
refusal is a `QuotaExceeded`, answered 429 (413 for bytes) with the limit, the count and when the
day resets, in the body and as `Retry-After`."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from pydantic import BaseModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from gatepost_common.clock import Clock
from gatepost_common.errors import DomainError
from gatepost_common.mongo import Document


@dataclass(frozen=True)
class Quota:
    """One kind of daily limit: `kind` is its key, `noun` what it counts, for the person."""

    kind: str
    noun: str
    limit: int


def day_of(now: datetime) -> str:
    return now.astimezone(UTC).date().isoformat()


def resets_at(now: datetime) -> datetime:
    """The next 00:00 UTC: every quota's day starts and ends there."""
    today = datetime.combine(now.astimezone(UTC).date(), datetime.min.time(), UTC)
    return today + timedelta(days=1)


def iso(moment: datetime) -> str:
    """As pydantic writes a UTC time in every other answer: `2026-12-08T00:00:00Z`."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class QuotaExceeded(DomainError):
    """Over a daily quota: what was asked, what is used, the limit and when it resets."""

    status: ClassVar[int] = 429

    def __init__(self, quota: Quota, used: int, asked: int, now: datetime) -> None:
        self.quota, self.used, self.asked = quota, used, asked
        self.resets_at = resets_at(now)
        self.retry_after_s = max(1, math.ceil((self.resets_at - now).total_seconds()))
        super().__init__(
            f"daily limit of {quota.limit} {quota.noun} reached: {used} used today, "
            f"{asked} more asked; it resets at {self.resets_at:%H:%M} UTC "
            f"({iso(self.resets_at)})"
        )

    def answer_fields(self) -> dict[str, Any]:
        return {
            "quota": {
                "kind": self.quota.kind,
                "limit": self.quota.limit,
                "used": self.used,
                "asked": self.asked,
                "resets_at": iso(self.resets_at),
            }
        }

    def answer_headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s)}


class BytesQuotaExceeded(QuotaExceeded):
    """Stored bytes over the day's quota: the upload is too large for what is left."""

    status: ClassVar[int] = 413


class QuotaRefusedElsewhere(DomainError):
    """Another service's quota refusal (the generator's, for a slide redrawn through approval),
    answered to the person as that service gave it."""

    status: ClassVar[int] = 429

    def __init__(self, detail: str, fields: dict[str, Any], retry_after: str) -> None:
        super().__init__(detail)
        self.fields, self.retry_after = fields, retry_after

    @classmethod
    def of(cls, body: Any, headers: Mapping[str, str]) -> QuotaRefusedElsewhere:
        body = body if isinstance(body, dict) else {}
        fields = {"quota": body["quota"]} if isinstance(body.get("quota"), dict) else {}
        detail = str(body.get("detail") or "a daily limit is reached")
        return cls(detail, fields, headers.get("retry-after", "3600"))

    def answer_fields(self) -> dict[str, Any]:
        return self.fields

    def answer_headers(self) -> dict[str, str]:
        return {"Retry-After": self.retry_after}


class DailyQuotas:
    """Takes and gives back units of a person's daily quotas, in one document each."""

    def __init__(self, db: AsyncDatabase[Document], clock: Clock) -> None:
        self.days = db["quota_days"]
        self.clock = clock

    async def take(self, user_id: str, quota: Quota, n: int = 1) -> None:
        """Count `n` more today, or raise `QuotaExceeded` and count nothing."""
        if n <= 0:
            return
        now = self.clock.now()
        key = {"_id": f"{user_id}:{quota.kind}:{day_of(now)}"}
        room = {**key, "count": {"$lte": quota.limit - n}}
        fields = {"user_id": user_id, "kind": quota.kind, "day": day_of(now)}
        if n <= quota.limit:
            try:  # the day's first use makes the document; later ones match it by `count`
                await self.days.update_one(
                    room, {"$inc": {"count": n}, "$setOnInsert": fields}, upsert=True
                )
                return
            except DuplicateKeyError:  # it exists (or was just made) with no room for n
                taken = await self.days.update_one(room, {"$inc": {"count": n}})
                if taken.matched_count == 1:
                    return
        day = await self.days.find_one(key)
        raise self.refusal(quota, int(day["count"]) if day else 0, n, now)

    async def give_back(self, user_id: str, quota: Quota, n: int) -> None:
        """Uncount what was taken for work that was then not accepted after all."""
        if n > 0:
            key = f"{user_id}:{quota.kind}:{day_of(self.clock.now())}"
            await self.days.update_one({"_id": key, "count": {"$gte": n}}, {"$inc": {"count": -n}})

    async def used(self, user_id: str, quotas: list[Quota]) -> dict[str, int]:
        """Today's count of each quota (kind → count)."""
        day = day_of(self.clock.now())
        ids = [f"{user_id}:{q.kind}:{day}" for q in quotas]
        found = {d["kind"]: int(d["count"]) async for d in self.days.find({"_id": {"$in": ids}})}
        return {q.kind: found.get(q.kind, 0) for q in quotas}

    def refusal(self, quota: Quota, used: int, asked: int, now: datetime) -> QuotaExceeded:
        if quota.kind == "stored_bytes":
            return BytesQuotaExceeded(quota, used, asked, now)
        return QuotaExceeded(quota, used, asked, now)


class QuotaUsage(BaseModel):
    """One daily quota of the signed-in person: what it counts, its limit, today's use."""

    kind: str
    noun: str
    limit: int
    used: int
    resets_at: datetime


class Usage(BaseModel):
    """The person's daily quotas of one service, each with today's use."""

    quotas: list[QuotaUsage]


async def usage_of(quotas: DailyQuotas, user_id: str, every: list[Quota]) -> Usage:
    used = await quotas.used(user_id, every)
    resets = resets_at(quotas.clock.now())
    return Usage(
        quotas=[
            QuotaUsage(kind=q.kind, noun=q.noun, limit=q.limit, used=used[q.kind], resets_at=resets)
            for q in every
        ]
    )
