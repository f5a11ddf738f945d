"""Claims share the generation workers between people, against the real MongoDB-wire server: a
topic typed by one person is not held behind another person's import of hundreds."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from gatepost_common.mongo import create_mongo_client
from gatepost_common.settings import ServiceSettings
from gatepost_devstack.stack import Stack
from gatepost_generator import domain
from gatepost_generator.adapters import MongoTopicRepository
from gatepost_generator.domain import Topic

LEASE = timedelta(seconds=60)


def topics_of(user_id: str, count: int) -> list[Topic]:
    return [
        {"_id": f"{user_id}-{n}", "user_id": user_id, "account_id": "acct", "text": f"{n}"}
        for n in range(count)
    ]


async def test_a_single_topic_is_claimed_before_the_rest_of_an_earlier_import(
    stack: Stack,
) -> None:
    settings = ServiceSettings(mongodb_url=stack.mongodb_url, service_name="fairness-test")
    mongo = create_mongo_client(settings)
    try:
        repository = MongoTopicRepository(mongo[f"fairness_{time.time_ns()}"])
        start = datetime.now(UTC)
        await repository.queue(topics_of("importer", 20), start)
        await repository.queue(topics_of("typist", 1), start + timedelta(seconds=1))
        await repository.queue(topics_of("late", 1), start + timedelta(seconds=2))
        now = start + timedelta(seconds=3)

        async def claimed_by(owner: str) -> str:
            topic = await repository.claim_next(owner, now, LEASE)
            assert topic is not None
            return str(topic["user_id"])

        # the import's oldest topic first; then each person with nothing in flight, oldest first
        assert [await claimed_by("replica-a") for _ in range(3)] == ["importer", "typist", "late"]
        # everyone has one in flight: the import goes on
        assert await claimed_by("replica-b") == "importer"
        assert await repository.generating_per_user(now) == {
            "importer": 2,
            "typist": 1,
            "late": 1,
        }
        # renewing within the same millisecond as the claim changes nothing, and still holds
        held = await repository.claim_next("replica-c", now, LEASE)
        assert held is not None
        assert await repository.apply(domain.renew(held["_id"], "replica-c", now, LEASE))
        assert not await repository.apply(domain.renew(held["_id"], "replica-a", now, LEASE))
        # a worker that died holds nothing: its topics count as claimable, not in flight
        assert await repository.generating_per_user(now + LEASE * 2) == {}
    finally:
        await mongo.close()
