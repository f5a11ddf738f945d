"""A person's daily quotas over the in-memory database: taken up to the limit and no further,
refused with the limit, the count and the reset time, a new UTC day starts again from zero, and
a refusal is answered 429 (413 for bytes) with `Retry-After` and the reset time in the body."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from fastapi import APIRouter

from gatepost_common.clock import Clock
from gatepost_common.quotas import (
    BytesQuotaExceeded,
    DailyQuotas,
    Quota,
    QuotaExceeded,
    QuotaRefusedElsewhere,
)
from tests.unit.asgi import served
from tests.unit.memory import MemoryDatabase

IMPORTS = Quota("imports", "imports", 5)


class SetClock(Clock):
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def quotas(at: datetime = datetime(2026, 12, 7, 22, 30, tzinfo=UTC)) -> DailyQuotas:
    return DailyQuotas(cast(Any, MemoryDatabase()), SetClock(at))


async def test_takes_up_to_the_limit_and_refuses_the_rest_with_limit_count_and_reset() -> None:
    days = quotas()
    await days.take("ann", IMPORTS, 3)
    with pytest.raises(QuotaExceeded) as refused:
        await days.take("ann", IMPORTS, 3)
    over = refused.value
    assert over.status == 429 and (over.used, over.asked, over.quota.limit) == (3, 3, 5)
    assert over.resets_at == datetime(2026, 12, 8, tzinfo=UTC)
    assert over.retry_after_s == 90 * 60  # 22:30 → 00:00 UTC
    assert "daily limit of 5 imports reached: 3 used today" in over.reason
    assert "resets at 00:00 UTC" in over.reason
    await days.take("ann", IMPORTS, 2)  # what is left still fits
    assert await days.used("ann", [IMPORTS]) == {"imports": 5}
    with pytest.raises(QuotaExceeded):
        await days.take("ann", IMPORTS, 1)
    assert await days.used("bob", [IMPORTS]) == {"imports": 0}  # per person


async def test_more_than_the_limit_at_once_is_refused_and_counts_nothing() -> None:
    days = quotas()
    with pytest.raises(QuotaExceeded):
        await days.take("ann", IMPORTS, 6)
    assert await days.used("ann", [IMPORTS]) == {"imports": 0}


async def test_racing_takes_never_count_past_the_limit() -> None:
    days = quotas()
    taken = await asyncio.gather(
        *(days.take("ann", IMPORTS, 1) for _ in range(20)), return_exceptions=True
    )
    assert sum(r is None for r in taken) == 5
    assert all(isinstance(r, QuotaExceeded) for r in taken if r is not None)
    assert await days.used("ann", [IMPORTS]) == {"imports": 5}


async def test_a_new_utc_day_starts_from_zero_and_giving_back_uncounts() -> None:
    clock = SetClock(datetime(2026, 12, 7, 23, 59, tzinfo=UTC))
    days = DailyQuotas(cast(Any, MemoryDatabase()), clock)
    await days.take("ann", IMPORTS, 5)
    await days.give_back("ann", IMPORTS, 2)
    assert await days.used("ann", [IMPORTS]) == {"imports": 3}
    clock.at += timedelta(minutes=2)
    assert await days.used("ann", [IMPORTS]) == {"imports": 0}
    await days.take("ann", IMPORTS, 5)


async def test_stored_bytes_over_the_quota_are_refused_413() -> None:
    days = quotas()
    stored = Quota("stored_bytes", "bytes stored", 1000)
    with pytest.raises(BytesQuotaExceeded) as refused:
        await days.take("ann", stored, 1001)
    assert refused.value.status == 413


refusing = APIRouter()


@refusing.post("/imports")
async def over_quota() -> None:
    await quotas().take("ann", IMPORTS, 6)


@refusing.post("/redraws")
async def refused_elsewhere() -> None:
    body = {"detail": "daily limit of 10 images reached", "quota": {"kind": "images"}}
    raise QuotaRefusedElsewhere.of(body, {"retry-after": "77"})


async def test_a_refusal_is_answered_429_with_retry_after_and_the_reset_time() -> None:
    async with served([refusing], {}) as client:
        answer = await client.post("/imports")
        relayed = await client.post("/redraws")
    assert answer.status_code == 429
    assert answer.headers["retry-after"] == str(90 * 60)
    body = answer.json()
    assert body["detail"].startswith("daily limit of 5 imports reached: 0 used today, 6 more")
    assert body["quota"] == {
        "kind": "imports",
        "limit": 5,
        "used": 0,
        "asked": 6,
        "resets_at": "2026-12-08T00:00:00Z",
    }
    assert relayed.status_code == 429 and relayed.headers["retry-after"] == "77"
    assert relayed.json() == {
        "detail": "daily limit of 10 images reached",
        "quota": {"kind": "images"},
    }
