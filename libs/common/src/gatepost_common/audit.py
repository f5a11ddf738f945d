"""The append-only audit log: each entry is hash-chained to the previous entry of its account."""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from gatepost_common.mongo import Document

GENESIS = "0" * 64


def entry_hash(entry: Document) -> str:
    fields = {k: entry[k] for k in ("account_id", "seq", "at", "kind", "detail", "prev_hash")}
    encoded = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


MAX_TAILS = 50_000
DUPLICATE_KEY = 11000
Pending = tuple[str, str, dict[str, Any], str]  # account, kind, detail, at
# the running task's open batches (`AuditLog.batched`): each log's appends held for it
_batches: ContextVar[dict[int, list[Pending]] | None] = ContextVar("audit_batches", default=None)


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
        at = datetime.now(UTC).isoformat()
        if (pending := (_batches.get() or {}).get(id(self))) is not None:
            pending.append((account_id, kind, detail, at))
            return
        async with self.writing.setdefault(account_id, asyncio.Lock()):
            await self._append(account_id, [(kind, detail, at)])

    @asynccontextmanager
    async def batched(self) -> AsyncIterator[None]:
        """The appends this task makes inside are written at its end (or at `written()`), in
        one insert per account: a step's entries cost one command, not one each. Each keeps the
        time it was appended at; the chain is the same as when they were written one by one."""
        token = _batches.set({**(_batches.get() or {}), id(self): []})
        try:
            yield
        finally:
            try:
                await self.written()
            finally:
                _batches.reset(token)

    async def written(self) -> None:
        """Write the open batch's entries now (before a step's next irreversible move)."""
        pending = (_batches.get() or {}).get(id(self))
        if not pending:
            return
        taken = list(pending)
        pending.clear()
        for account in dict.fromkeys(p[0] for p in taken):
            items = [(kind, detail, at) for a, kind, detail, at in taken if a == account]
            async with self.writing.setdefault(account, asyncio.Lock()):
                await self._append(account, items)

    async def _append(self, account_id: str, items: list[tuple[str, dict[str, Any], str]]) -> None:
        known = self.tails.get(account_id)
        for attempt in range(100):  # a concurrent writer took our seq: read the tail again
            if attempt:  # writers that collided spread out, so one of them gets through
                await asyncio.sleep(random.uniform(0, 0.002 * min(attempt, 20)))
            seq, prev_hash = known if known is not None else await self.tail(account_id)
            entries = chained(account_id, seq, prev_hash, items)
            try:
                if len(entries) == 1:
                    await self.entries.insert_one(entries[0])
                else:
                    await self.entries.insert_many(entries, ordered=True)
                stored = len(entries)
            except DuplicateKeyError:
                stored = 0
            except BulkWriteError as failure:
                errors = failure.details.get("writeErrors", [])
                if not errors or errors[0].get("code") != DUPLICATE_KEY:
                    raise
                stored = int(failure.details.get("nInserted", 0))
            if stored:
                last = entries[stored - 1]
                seq = int(last["seq"])
                self.remember(account_id, (seq, str(last["hash"])))
                items = items[stored:]
                if not items:
                    return
            # another writer appended entry seq + 1: link to it (one lookup by the unique key);
            # a tail far behind (or an entry that cannot be read) is read afresh
            known = await self.entry_after(account_id, seq) if attempt < 3 else None
        raise RuntimeError(f"could not append to the audit log of {account_id}")

    def remember(self, account_id: str, tail: tuple[int, str]) -> None:
        if len(self.tails) >= MAX_TAILS:
            self.tails.clear()
            self.writing = {a: lock for a, lock in self.writing.items() if lock.locked()}
        self.tails[account_id] = tail

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


def chained(
    account_id: str, seq: int, prev_hash: str, items: list[tuple[str, dict[str, Any], str]]
) -> list[Document]:
    """`items` (kind, detail, at) as the entries after (`seq`, `prev_hash`), each linked to the
    one before it."""
    entries: list[Document] = []
    for kind, detail, at in items:
        seq += 1
        entry = {
            "account_id": account_id,
            "seq": seq,
            "at": at,
            "kind": kind,
            "detail": detail,
            "prev_hash": prev_hash,
        }
        entry["hash"] = prev_hash = entry_hash(entry)
        entries.append(entry)
    return entries


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
