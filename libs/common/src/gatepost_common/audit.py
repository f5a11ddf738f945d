"""The append-only audit log: each entry is hash-chained to the previous entry of its account."""

from __future__ import annotations

import hashlib
import json
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


class AuditLog:
    def __init__(self, db: AsyncDatabase[Document], collection: str = "audit") -> None:
        self.entries = db[collection]

    async def ensure_indexes(self) -> None:
        await self.entries.create_index([("account_id", 1), ("seq", 1)], unique=True)

    async def append(self, account_id: str, kind: str, **detail: Any) -> None:
        for _ in range(20):  # a concurrent writer took our seq: read the new tail and retry
            last = await self.entries.find_one({"account_id": account_id}, sort=[("seq", -1)])
            entry = {
                "account_id": account_id,
                "seq": (last["seq"] + 1) if last else 1,
                "at": datetime.now(UTC).isoformat(),
                "kind": kind,
                "detail": detail,
                "prev_hash": last["hash"] if last else GENESIS,
            }
            entry["hash"] = entry_hash(entry)
            try:
                await self.entries.insert_one(entry)
                return
            except DuplicateKeyError:
                continue
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
