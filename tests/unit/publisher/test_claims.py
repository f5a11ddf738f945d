"""Claiming due jobs over the real repository (`MongoJobRepository`, in-memory MongoDB): a batch
at a time, the longest due first, never a job another worker's live lease holds, never one not
due yet, and each job to one worker only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

from gatepost_publisher.jobs import MongoJobRepository
from tests.unit.memory import MemoryDatabase
from tests.unit.publisher.fakes import world

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
LEASE = timedelta(seconds=120)


async def jobs_due_at(*offsets_s: int) -> MongoJobRepository:
    jobs = MongoJobRepository(cast(Any, MemoryDatabase()))
    for n, offset in enumerate(offsets_s):
        job = {"_id": f"j{n}", "post_id": f"j{n}", "attempt": 1, "account_id": "a"}
        await jobs.add({**job, "due_at": NOW + timedelta(seconds=offset)})
    return jobs


async def test_a_batch_is_the_longest_due_first_and_each_job_is_claimed_once() -> None:
    jobs = await jobs_due_at(-5, -30, -10, 60)  # j3 is not due yet
    first = await jobs.claim_due("worker-a", NOW, LEASE, 2)
    assert [j["_id"] for j in first] == ["j1", "j2"]
    assert all(j["lease_owner"] == "worker-a" for j in first)
    second = await jobs.claim_due("worker-b", NOW, LEASE, 10)
    assert [j["_id"] for j in second] == ["j0"], "a leased job is nobody else's"
    assert await jobs.claim_due("worker-b", NOW, LEASE, 10) == []
    later = await jobs.claim_due("worker-b", NOW + LEASE + timedelta(seconds=61), LEASE, 10)
    assert [j["_id"] for j in later] == ["j1", "j2", "j0", "j3"], "leases ran out; j3 is due"
    stored = await jobs.get("j1")
    assert stored is not None and stored["lease_owner"] == "worker-b"


async def test_posts_are_taken_in_the_order_they_were_approved_not_as_they_arrived() -> None:
    w = world()
    approved_first = w.clock.now()
    w.clock.advance(5)
    await w.approve("later", account_id="account-2")  # approved at +5 s, arrives first
    w.clock.advance(10)
    await w.approve("earlier", approved_at=approved_first)  # approved at 0 s, arrives at +15 s
    ahead = w.clock.now() + timedelta(hours=1)  # a clock running ahead of the publisher's
    await w.approve("ahead", account_id="account-3", approved_at=ahead)
    claimed = await w.jobs.claim_due("worker-a", w.clock.now(), LEASE, 10)
    assert [j["post_id"] for j in claimed] == ["earlier", "later", "ahead"]
    assert w.job("ahead")["due_at"] == w.clock.now()  # due now, not in an hour
