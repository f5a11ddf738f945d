"""Daily quotas against the real MongoDB-wire server: takes racing from three replicas (each its
own client) for a person's last units, the day's document made by one of them, never count past
the limit, and every take that was answered yes is counted."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from gatepost_common.clock import Clock
from gatepost_common.quotas import DailyQuotas, Quota, QuotaExceeded
from gatepost_devstack.outside import fresh_database
from gatepost_devstack.stack import Stack

TOPICS = Quota("topics", "topics", 25)


class SetClock(Clock):
    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def now(self) -> datetime:
        return self.at


async def test_racing_takes_from_three_replicas_never_pass_the_limit(stack: Stack) -> None:
    clock = SetClock()
    async with (
        fresh_database(stack, "quotas") as a,
        fresh_database(stack, "quotas") as b,
        fresh_database(stack, "quotas") as c,
    ):
        # three clients of one database (fresh_database names each its own: share a's name)
        replicas = [DailyQuotas(db.client[a.name], clock) for db in (a, b, c)]
        sizes = [1, 2, 3] * 10  # 60 units asked for 25, the first ones racing to make the day

        async def take(n: int, i: int) -> int:
            try:
                await replicas[i % 3].take("ann", TOPICS, n)
                return n
            except QuotaExceeded as refused:
                assert refused.used <= TOPICS.limit
                return 0

        taken = await asyncio.gather(*(take(n, i) for i, n in enumerate(sizes)))
        counted = await replicas[0].used("ann", [TOPICS])
        assert counted == {"topics": sum(taken)}
        assert 25 - 2 <= sum(taken) <= 25  # full, but for less room than the smallest refused
        await replicas[1].give_back("ann", TOPICS, sum(taken))
        assert await replicas[2].used("ann", [TOPICS]) == {"topics": 0}
