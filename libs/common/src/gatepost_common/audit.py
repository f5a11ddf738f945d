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

    async def for_account(self, account_id: str, limit: int = 200) -> list[Document]:
        cursor = (
            self.entries.find({"account_id": account_id}, {"_id": 0}).sort("seq", 1).limit(limit)
        )
        return [doc async for doc in cursor]
