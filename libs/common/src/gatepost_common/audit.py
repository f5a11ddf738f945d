"""The append-only audit log: each entry is hash-chained to the previous entry of its account."""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from gatepost_common.mongo import Document

GENESIS = "0" * 64


def entry_hash(entry: Document) -> str:
    fields = {k: entry[k] for k in ("account_id", "seq", "at", "kind", "detail", "prev_hash")}
    encoded = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


MAX_TAILS = 50_000


class AuditLog:
    """Appends are one insert while this process wrote the account's last entry: the tail it
    wrote is remembered, and its appends to one account go one at a time. Entries are numbered
    densely and (account, seq) is unique, so a tail another replica moved on makes the insert
    collide: the entry that took the place is read by that key and the new one linked after it,
    trying the next place (a lookup by the unique key is cheap everywhere; the local server
    answers a sorted tail query by scanning the whole log). A stale tail can cost a retry, never
    a wrong link."""

    def __init__(self, db: AsyncDatabase[Document], collection: str = "audit") -> None:
        self.entries = db[collection]
        self.tails: dict[str, tuple[int, str]] = {}  # account → (seq, hash) of its last entry
        # one append at a time per account in this process: its own writers never collide
        self.writing: dict[str, asyncio.Lock] = {}

    async def ensure_indexes(self) -> None:
        await self.entries.create_index([("account_id", 1), ("seq", 1)], unique=True)

    async def tail(self, account_id: str) -> tuple[int, str]:
        last = await self.entries.find_one({"account_id": account_id}, sort=[("seq", -1)])
        return (last["seq"], last["hash"]) if last else (0, GENESIS)

    async def entry_after(self, account_id: str, seq: int) -> tuple[int, str] | None:
        found = await self.entries.find_one({"account_id": account_id, "seq": seq + 1})
        return (seq + 1, found["hash"]) if found else None

    async def append(self, account_id: str, kind: str, **detail: Any) -> None:
        async with self.writing.setdefault(account_id, asyncio.Lock()):
            await self._append(account_id, kind, detail)

    async def _append(self, account_id: str, kind: str, detail: dict[str, Any]) -> None:
        known = self.tails.get(account_id)
        for attempt in range(100):  # a concurrent writer took our seq: read the tail again
            if attempt:  # writers that collided spread out, so one of them gets through
                await asyncio.sleep(random.uniform(0, 0.002 * min(attempt, 20)))
            seq, prev_hash = known if known is not None else await self.tail(account_id)
            entry = {
                "account_id": account_id,
                "seq": seq + 1,
                "at": datetime.now(UTC).isoformat(),
                "kind": kind,
                "detail": detail,
                "prev_hash": prev_hash,
            }
            entry["hash"] = entry_hash(entry)
            try:
                await self.entries.insert_one(entry)
            except DuplicateKeyError:
                # another writer appended entry seq + 1: link to it (one lookup by the unique
                # key); a tail far behind (or an entry that cannot be read) is read afresh
                known = await self.entry_after(account_id, seq) if attempt < 3 else None
                continue
            if len(self.tails) >= MAX_TAILS:
                self.tails.clear()
                self.writing = {a: lock for a, lock in self.writing.items() if lock.locked()}
            self.tails[account_id] = (seq + 1, str(entry["hash"]))
            return
        raise RuntimeError(f"could not append to the audit log of {account_id}")

    async def for_account(
        self, account_id: str, limit: int = 200, offset: int = 0
    ) -> list[Document]:
        """One page of an account's entries, newest first."""
        cursor = (
            self.entries.find({"account_id": account_id}, {"_id": 0})
            .sort("seq", -1)
            .skip(offset)
            .limit(limit)
        )
        return [doc async for doc in cursor]


def verify_chain(entries: list[Document]) -> str | None:
    """The first broken link of one stream's entries (sorted by seq), or None if it holds."""
    previous = GENESIS
    for expected_seq, entry in enumerate(entries, start=1):
        if entry.get("seq") != expected_seq:
            return f"entry {expected_seq} is missing (found seq {entry.get('seq')})"
        if entry.get("prev_hash") != previous:
            return f"entry {expected_seq} does not link to entry {expected_seq - 1}"
        if entry_hash(entry) != entry.get("hash"):
            return f"entry {expected_seq} was altered (its hash does not match its content)"
        previous = entry["hash"]
    return None
