"""Claims share the generation workers between people, against the real MongoDB-wire server: a
topic typed by one person is not held behind another person's import of hundreds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gatepost_devstack.outside import fresh_database
from gatepost_devstack.stack import Stack
from gatepost_generator import domain
from gatepost_generator.adapters import MongoTopicRepository, queued
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
    async with fresh_database(stack, "fairness") as db:
        repository = MongoTopicRepository(db)
        start = datetime.now(UTC)
        await repository.queue(topics_of("importer", 20), start)  # rows 0…19, queued at once
        await repository.queue(topics_of("typist", 1), start + timedelta(seconds=1))
        await repository.queue(topics_of("late", 1), start + timedelta(seconds=2))
        now = start + timedelta(seconds=3)

        async def claimed_by(owner: str) -> str:
            topic = await repository.claim_next(owner, now, LEASE)
            assert topic is not None
            return str(topic["_id"])

        # the import's oldest topic first; then each person with nothing in flight, oldest first
        firsts = [await claimed_by("replica-a") for _ in range(3)]
        assert firsts == ["importer-0", "typist-0", "late-0"]
        # everyone has one in flight: the import goes on, in its rows' order
        assert [await claimed_by("replica-b") for _ in range(3)] == [
            "importer-1",
            "importer-2",
            "importer-3",
        ]
        assert await repository.generating_per_user(now) == {
            "importer": 4,
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


async def test_an_import_is_generated_in_its_rows_order(stack: Stack) -> None:
    """Rows queued at once share `queued_at`, and MongoDB returns ties in no promised order
    (sorted by `queued_at` alone, the local server did not give the rows' order either), so
    each row keeps its position and the claim orders ties by it."""
    async with fresh_database(stack, "rows") as db, fresh_database(stack, "reversed") as other_db:
        repository = MongoTopicRepository(db)
        now = datetime.now(UTC)
        rows = topics_of("importer", 5)
        await repository.queue(rows, now)
        stored = [d async for d in repository.topics.find({}, {"position": 1})]
        assert {d["_id"]: d["position"] for d in stored} == {f"importer-{n}": n for n in range(5)}
        # stored in another physical order than the rows', as a real server may return them
        other = MongoTopicRepository(other_db)
        backwards = [queued(t, now, n) for n, t in enumerate(rows)][::-1]
        await other.topics.insert_many(backwards)
        claimed = [await other.claim_next("replica", now, LEASE) for _ in range(5)]
        assert [t["_id"] for t in claimed if t] == [f"importer-{n}" for n in range(5)]
