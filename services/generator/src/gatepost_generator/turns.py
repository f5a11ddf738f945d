"""Turns on the provider's budget between people, in one replica: callers waiting for the
budget are let through one at a time, the person served longest ago first (round robin), so one
person's thousands of image calls take every other place in line, not every place. A person who
starts waiting goes before everyone served since: after the call holding the turn, theirs."""

from __future__ import annotations

import asyncio
import contextvars
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

# whose work the model calls of this task are for ("": nobody's in particular)
PERSON: contextvars.ContextVar[str] = contextvars.ContextVar("person", default="")


@contextmanager
def on_behalf_of(person: str) -> Iterator[None]:
    """The model calls made inside (and in tasks started inside) take `person`'s turns."""
    token = PERSON.set(person)
    try:
        yield
    finally:
        PERSON.reset(token)


class Turns:
    def __init__(self) -> None:
        self.waiting: dict[str, deque[asyncio.Future[None]]] = {}
        self.served: dict[str, int] = {}  # person → when last given the turn (a count)
        self.turns = 0
        self.busy = False

    @asynccontextmanager
    async def turn(self, person: str | None = None) -> AsyncIterator[None]:
        """Hold the one turn of this replica while inside; wait for it in the person's place."""
        person = PERSON.get() if person is None else person
        await self.wait(person)
        self.turns += 1
        self.served[person] = self.turns
        try:
            yield
        finally:
            self.pass_on()

    async def wait(self, person: str) -> None:
        if not self.busy:
            self.busy = True
            return
        granted = asyncio.get_running_loop().create_future()
        self.waiting.setdefault(person, deque()).append(granted)
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():
                self.pass_on()  # given the turn as it was cancelled: the next one's now
            else:
                line = self.waiting.get(person)
                if line is not None and granted in line:
                    line.remove(granted)
                    if not line:
                        del self.waiting[person]
            raise

    def pass_on(self) -> None:
        """The turn to the waiting person served longest ago (never: first)."""
        while self.waiting:
            person = min(self.waiting, key=lambda p: self.served.get(p, 0))
            line = self.waiting[person]
            granted = line.popleft()
            if not line:
                del self.waiting[person]
            if not granted.done():
                self.served[person] = self.turns + 1  # theirs now, before they wake
                granted.set_result(None)
                return
        self.busy = False
