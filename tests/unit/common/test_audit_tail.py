"""The audit log over an in-memory MongoDB: a writer whose remembered tail another replica moved
on links after the entry that took its place, found by the unique key, without reading the
account's whole log for its tail (the local MongoDB-wire server answers that sorted query by
scanning every entry of every account)."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from gatepost_common.audit import AuditLog, verify_chain
from tests.unit.memory import MemoryDatabase


class CountingLog(AuditLog):
    tail_reads = 0

    async def tail(self, account_id: str) -> tuple[int, str]:
        self.tail_reads += 1
        return await super().tail(account_id)


async def entries(db: MemoryDatabase) -> list[dict[str, Any]]:
    return [e async for e in db["audit"].find({"account_id": "a"}).sort("seq", 1)]


async def test_a_stale_tail_links_after_the_entry_that_took_its_place() -> None:
    db = MemoryDatabase()
    await db["audit"].create_index([("account_id", 1), ("seq", 1)], unique=True)
    first, second = CountingLog(cast(Any, db)), CountingLog(cast(Any, db))
    await first.append("a", "intake")
    await second.append("a", "tiktok_call")  # reads the tail once: it never wrote here
    await second.append("a", "tiktok_call")
    await first.append("a", "webhook")  # remembers seq 1; seq 2 and 3 are taken
    assert (first.tail_reads, second.tail_reads) == (1, 1)
    found = await entries(db)
    assert [e["kind"] for e in found] == ["intake", "tiktok_call", "tiktok_call", "webhook"]
    assert verify_chain(found) is None


async def test_a_tail_far_behind_is_read_afresh() -> None:
    db = MemoryDatabase()
    await db["audit"].create_index([("account_id", 1), ("seq", 1)], unique=True)
    first, second = CountingLog(cast(Any, db)), CountingLog(cast(Any, db))
    await first.append("a", "intake")
    for _ in range(10):
        await second.append("a", "tiktok_call")
    await first.append("a", "webhook")
    assert first.tail_reads == 2, "three steps forward, then one read of the tail"
    found = await entries(db)
    assert len(found) == 12 and found[-1]["kind"] == "webhook" and verify_chain(found) is None


async def test_appends_of_one_process_to_one_account_never_collide() -> None:
    """The steps of several posts of one account, in flight together in one replica, append at
    once: one at a time, each after the tail the last one wrote, none pays for a collision."""
    db = MemoryDatabase()
    await db["audit"].create_index([("account_id", 1), ("seq", 1)], unique=True)
    collection = db["audit"]
    inserts = 0

    async def insert_over_the_network(entry: dict[str, Any]) -> Any:
        nonlocal inserts
        inserts += 1
        await asyncio.sleep(0)  # the round trip: other appends run meanwhile
        return collection.collection.insert_one(entry)

    collection.insert_one = insert_over_the_network  # type: ignore[method-assign]
    log = CountingLog(cast(Any, db))
    await asyncio.gather(*(log.append("a", "tiktok_call", n=n) for n in range(10)))
    found = await entries(db)
    assert len(found) == 10 and verify_chain(found) is None
    assert inserts == 10 and log.tail_reads == 1


async def test_a_batch_is_written_in_one_insert_linked_after_what_others_wrote_meanwhile() -> None:
    db = MemoryDatabase()
    await db["audit"].create_index([("account_id", 1), ("seq", 1)], unique=True)
    first, second = CountingLog(cast(Any, db)), CountingLog(cast(Any, db))
    await first.append("a", "intake")
    collection = db["audit"]
    inserts: list[int] = []
    insert_many = collection.insert_many

    async def counted(documents: list[dict[str, Any]], **kwargs: Any) -> Any:
        inserts.append(len(documents))
        return await insert_many(documents, **kwargs)

    collection.insert_many = counted  # type: ignore[method-assign]
    async with first.batched():
        await first.append("a", "tiktok_call", endpoint="creator_info")
        await first.append("a", "tiktok_call", endpoint="content_init")
        assert len(await entries(db)) == 1, "nothing is written before the batch ends"
        await second.append("a", "webhook")  # another replica takes seq 2 meanwhile
    found = await entries(db)
    assert [e["kind"] for e in found] == ["intake", "webhook", "tiktok_call", "tiktok_call"]
    assert [e["detail"].get("endpoint") for e in found[2:]] == ["creator_info", "content_init"]
    assert inserts == [2, 2], "one insert of both, and again after the collision"
    assert verify_chain(found) is None
    await first.append("a", "outcome")  # outside a batch: written at once, after its tail
    assert [e["seq"] for e in await entries(db)] == [1, 2, 3, 4, 5]
