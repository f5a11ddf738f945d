"""Fair turns on the provider's budget between people, through the generator's composition root
over the in-memory database and the OpenAI stand-in in process: with one person's import of
2,000 topics filling the worker and every image call waiting for the budget, another person's
single topic is claimed at once and its calls are let through after at most one more image call
of the importer, then turn about with the importer's until its seven images are drawn."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from openai import AsyncOpenAI

from gatepost_generator.bootstrap import Parts, build
from gatepost_generator.domain import Topic
from gatepost_generator.settings import Settings
from gatepost_generator.turns import PERSON, Turns
from gatepost_standins.openai.app import create_app
from gatepost_standins.openai.config import OpenAIStandinConfig
from tests.unit.generator.test_generation_flow import FixedClock, Services
from tests.unit.memory import MemoryDatabase


class Gate:
    """The provider's image budget, one call let through each time the test says so; it
    records whose call took which budget, in order."""

    def __init__(self) -> None:
        self.allowed = asyncio.Semaphore(0)
        self.blocked: str | None = None  # whose image call waits at the gate
        self.grants: list[tuple[str, str]] = []  # (person, kind)

    async def take(self, model: str, kind: str) -> None:
        if kind == "images":
            self.blocked = PERSON.get()
            await self.allowed.acquire()
            self.blocked = None
        self.grants.append((PERSON.get(), kind))

    def images(self, person: str) -> int:
        return sum(g == (person, "images") for g in self.grants)


async def until(condition: Callable[[], bool]) -> None:
    """Wait for what the generation tasks are doing to reach `condition` (a bounded wait on
    their progress, not a measure of time)."""
    for _ in range(3000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the generation did not get there")


def generator(concurrency: int) -> tuple[Parts, Gate]:
    standin = create_app(OpenAIStandinConfig())
    ai = AsyncOpenAI(
        api_key="sk-test",
        base_url="http://standin/v1",
        max_retries=0,
        http_client=httpx.AsyncClient(
            transport=httpx.ASGITransport(app=standin), base_url="http://standin"
        ),
    )
    settings = Settings(
        session_public_key="unused",
        openai_api_key="sk-test",
        openai_base_url="http://standin/v1",
        languages=["en", "fr"],
        language_accuracy="low",
        generation_concurrency=concurrency,
    )
    transport = httpx.MockTransport(Services().answer)
    parts = build(
        settings,
        MemoryDatabase(),
        ai,
        emit,
        lambda _, url, __: httpx.AsyncClient(base_url=url, transport=transport),
        FixedClock(),
    )
    gate = Gate()
    parts.calls.budget = gate
    return parts, gate


async def emit(event: Any, key: str) -> None:
    pass


def topics_of(person: str, count: int) -> list[Topic]:
    return [
        {
            "_id": f"{person}-{n}",
            "user_id": person,
            "account_id": "a1",
            "text": f"Five herbs that grow well on a small city balcony, part {n}",
        }
        for n in range(count)
    ]


async def test_one_persons_2000_topic_import_delays_anothers_topic_by_one_image_call() -> None:
    parts, gate = generator(concurrency=3)
    worker, turns = parts.worker, parts.calls.turns

    async def step() -> None:
        """Let one image call through the budget, and see it taken."""
        drawn = sum(kind == "images" for _, kind in gate.grants)
        gate.allowed.release()
        await until(lambda: sum(kind == "images" for _, kind in gate.grants) > drawn)

    try:
        await parts.topics.queue(topics_of("importer", 2000), datetime.now(UTC))
        await worker.fill()
        assert sorted(worker.holders.values()) == ["importer", "importer"]  # one place kept
        await until(lambda: gate.blocked == "importer" and "importer" in turns.waiting)
        for _ in range(3):
            await step()

        await parts.topics.queue(topics_of("typist", 1), datetime.now(UTC))
        before = gate.images("importer")
        await worker.fill()
        assert "typist-0" in worker.holders  # claimed at once, the import notwithstanding
        await until(lambda: "typist" in turns.waiting)  # its first call waits for a turn
        while gate.images("typist") < 7:
            await until(lambda: "typist" in turns.waiting or gate.blocked == "typist")
            await step()

        first_typist = next(n for n, g in enumerate(gate.grants) if g[0] == "typist")
        importer_before = [g for g in gate.grants[:first_typist] if g == ("importer", "images")]
        assert len(importer_before) - before <= 1, gate.grants  # the call holding the turn
        images = [person for person, kind in gate.grants if kind == "images"]
        first, last = images.index("typist"), len(images) - 1 - images[::-1].index("typist")
        between = "".join("t" if p == "typist" else "i" for p in images[first : last + 1])
        assert "ii" not in between and between.count("t") == 7, between  # turn about
    finally:
        for task in worker.running.values():
            task.cancel()
        await asyncio.gather(*worker.running.values(), return_exceptions=True)


async def test_a_call_cancelled_in_line_or_as_its_turn_comes_holds_no_one_up() -> None:
    turns = Turns()
    order: list[str] = []

    async def call(person: str) -> None:
        async with turns.turn(person):
            order.append(person)

    await turns.wait("ann")  # ann holds the turn
    gone = asyncio.create_task(call("bob"))  # cancelled while in line
    given_up = asyncio.create_task(call("cy"))  # cancelled as the turn is handed to it
    last = asyncio.create_task(call("dee"))
    await until(lambda: len(turns.waiting) == 3)
    gone.cancel()
    await asyncio.gather(gone, return_exceptions=True)
    assert list(turns.waiting) == ["cy", "dee"]
    turns.pass_on()  # ann is done: the turn is cy's…
    given_up.cancel()  # …who is cancelled before it runs, and hands it on to dee
    await asyncio.gather(given_up, last, return_exceptions=True)
    assert order == ["dee"] and not turns.busy and turns.waiting == {}
