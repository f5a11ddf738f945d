"""A sliding one-minute window shared by every replica, kept in MongoDB as one document per key
listing when each of its N slots (N = the limit) was last used. Taking a call claims a slot last
used over a minute ago in one atomic update of that document (the positional `$` names the slot
its filter matched), so no replica ever sees more than N calls inside any 60 seconds. Every read
and write is by `_id`: no query scans, on a real MongoDB or on the local server (which scans any
query its unique indexes cannot answer). The publisher keeps TikTok's per-token limits with it;
the generator keeps the AI provider's per-minute budgets."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from gatepost_common.clock import Clock
from gatepost_common.mongo import Document

# A slot is claimed before the request leaves, and the provider counts it when it arrives (a
# little later, on its own clock): a slot is free again only a second after its minute ended.
WINDOW = timedelta(seconds=61)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class RateLimiter:
    """A window this process found full is known to stay full until its oldest slot frees (slots
    are only ever taken, by any replica): until then it is answered from memory, with no
    command."""

    def __init__(self, db: AsyncDatabase[Document], clock: Clock) -> None:
        self.windows = db["rate_windows"]
        self.clock = clock
        self.full_until: dict[tuple[str, int], datetime] = {}

    async def try_acquire(self, key: str, limit: int) -> timedelta:
        """Claim a call now (returns zero), or say how long until a slot frees up."""
        while True:
            now = self.clock.now()
            if (known := self.known_wait(key, limit, now)) is not None:
                return known
            claimed = await self.windows.update_one(
                {"_id": key, "limit": limit, "used": {"$lte": now - WINDOW}},
                {"$set": {"used.$": now}},  # the slot the filter matched
            )
            if claimed.modified_count == 1:
                return timedelta(0)
            slots = await self._slots(key, limit, first_use=now)
            if slots is None:
                return timedelta(0)  # the window was made with this call's slot taken
            oldest = min(slots)
            if oldest > now - WINDOW:
                self.full_until[(key, limit)] = oldest + WINDOW
                return max(oldest + WINDOW - now, timedelta(milliseconds=50))
            # a slot is free: the window was just resized, or one freed meanwhile

    def known_wait(self, key: str, limit: int, now: datetime) -> timedelta | None:
        until = self.full_until.get((key, limit))
        if until is None:
            return None
        if until <= now:
            del self.full_until[(key, limit)]
            return None
        return max(until - now, timedelta(milliseconds=50))

    async def free_in(self, key: str, limit: int) -> timedelta:
        """How long until a call would be allowed (zero: now), claiming nothing."""
        if (known := self.known_wait(key, limit, self.clock.now())) is not None:
            return known
        window = await self.windows.find_one({"_id": key})
        if window is None:
            return timedelta(0)  # never used: its slots are made on the first claim
        recent: list[datetime] = sorted(window["used"])[-limit:]
        if len(recent) < limit:
            return timedelta(0)
        return max(recent[0] + WINDOW - self.clock.now(), timedelta(0))

    async def acquire(self, key: str, limit: int) -> None:
        """Wait until a call is allowed, then claim it."""
        while (wait := await self.try_acquire(key, limit)) > timedelta(0):  # noqa: ASYNC110
            await asyncio.sleep(wait.total_seconds())  # the wait is known: no event to await

    async def _slots(
        self, key: str, limit: int, *, first_use: datetime | None = None
    ) -> list[datetime] | None:
        """When each of the key's slots was last used, made on first use (None: made by this
        call, with one slot taken at `first_use`); a window kept for another limit (the setting
        changed) is resized, keeping its most recent uses, in one compare-and-set."""
        while True:
            window = await self.windows.find_one({"_id": key})
            if window is None:
                taken = [first_use] if first_use is not None else []
                made = [EPOCH] * (limit - len(taken)) + taken
                try:
                    await self.windows.insert_one({"_id": key, "limit": limit, "used": made})
                except DuplicateKeyError:  # another replica made it
                    continue
                if first_use is not None:
                    return None
                continue
            used: list[datetime] = window["used"]
            if window.get("limit") == limit:
                return used
            resized = ([EPOCH] * limit + sorted(used))[-limit:]
            changed = await self.windows.update_one(
                {"_id": key, "limit": window.get("limit"), "used": used},
                {"$set": {"limit": limit, "used": resized}},
            )
            if changed.modified_count == 1:
                return resized
