"""The audit log's chain holds when two replicas append to one account at once, each keeping
the tail it wrote last (a stale tail costs a retry, never a wrong link)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from pymongo import AsyncMongoClient

from gatepost_common.audit import AuditLog, verify_chain
from gatepost_devstack.stack import Stack


async def test_two_writers_keep_one_unbroken_chain(stack: Stack) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongodb_url, tz_aware=True)
    db = client[f"{stack.database_prefix}_audit_{uuid.uuid4().hex[:6]}"]
    try:
        first, second = AuditLog(db), AuditLog(db)  # two replicas: two processes' memories
        await first.ensure_indexes()
        account = "account-1"

        async def write(log: AuditLog, name: str) -> None:
            for n in range(25):
                await log.append(account, "step", by=name, n=n)

        await asyncio.gather(write(first, "a"), write(second, "b"), write(first, "c"))
        entries = [e async for e in db["audit"].find({"account_id": account}).sort("seq", 1)]
        assert len(entries) == 75 and verify_chain(entries) is None
        # a writer whose remembered tail is far behind still links to the real one
        await second.append(account, "late")
        await first.append(account, "later")
        entries = [e async for e in db["audit"].find({"account_id": account}).sort("seq", 1)]
        assert [e["kind"] for e in entries[-2:]] == ["late", "later"]
        assert verify_chain(entries) is None
    finally:
        await client.drop_database(db.name)
        await client.close()
