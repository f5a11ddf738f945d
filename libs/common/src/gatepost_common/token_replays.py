"""Which service tokens this service has already taken: a service token is good for one request.
The first use of a token id is recorded by an insert; a second insert of the same id fails on
the unique `_id`, so two replicas (on a replica set, at the same moment) cannot both accept it.
A record is kept until well after its token expired (KEEP_AFTER_EXPIRY_S: the replicas' and the
database's clocks may differ a little), then a TTL index on `expires_at` removes it; a server
without TTL indexes (the local MongoDB-wire server) has them swept every SWEEP_EVERY records."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from gatepost_common.mongo import Document

SEEN_TOKENS = "service_tokens_seen"  # in each service's own database
KEEP_AFTER_EXPIRY_S = 300
SWEEP_EVERY = 1000


class SeenTokens(Protocol):
    async def first_use(self, token_id: str, expires_at: float) -> bool:
        """Record `token_id`; False when it was recorded before (a replay)."""
        ...


class MongoSeenTokens:
    """The replay store of one service: a document per token taken, `_id` the token's id."""

    def __init__(self, seen: AsyncCollection[Document], sweep_every: int = SWEEP_EVERY) -> None:
        self.seen, self.sweep_every, self.recorded = seen, sweep_every, 0

    async def ensure_indexes(self) -> None:
        await self.seen.create_index("expires_at", expireAfterSeconds=KEEP_AFTER_EXPIRY_S)

    async def first_use(self, token_id: str, expires_at: float) -> bool:
        record = {"_id": token_id, "expires_at": datetime.fromtimestamp(expires_at, UTC)}
        try:
            await self.seen.insert_one(record)
        except DuplicateKeyError:
            return False
        self.recorded += 1
        if self.recorded % self.sweep_every == 0:
            await self.sweep()
        return True

    async def sweep(self) -> None:
        """Forget the tokens expired long ago (they are refused for their expiry anyway)."""
        long_ago = datetime.fromtimestamp(time.time() - KEEP_AFTER_EXPIRY_S, UTC)
        await self.seen.delete_many({"expires_at": {"$lt": long_ago}})


class SeenInMemory:
    """One process's replay store (unit tests: a route served in process over fakes)."""

    def __init__(self) -> None:
        self.seen: dict[str, float] = {}

    async def first_use(self, token_id: str, expires_at: float) -> bool:
        if token_id in self.seen:
            return False
        now = time.time()
        self.seen = {t: until for t, until in self.seen.items() if until > now}
        self.seen[token_id] = expires_at
        return True
