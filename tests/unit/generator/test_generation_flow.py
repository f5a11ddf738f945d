"""The generator's use cases through its composition root (`bootstrap.build`), over an in-memory
database, the strict OpenAI stand-in in process, media and auth answered by a mock transport and a
list for Kafka: a topic from Kafka (delivered twice) is queued once, the worker turns it into a
post of seven composed slides and emits it once, with what it cost; an image the model keeps
failing fails the topic with the reason and emits nothing."""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from faststream.kafka import KafkaBroker, TestKafkaBroker
from openai import AsyncOpenAI

from gatepost_common.clock import Clock
from gatepost_common.cloud_event import CloudEvent, envelope
from gatepost_common.events import PostGenerated, TopicCreated
from gatepost_generator import domain
from gatepost_generator.bootstrap import Parts, build
from gatepost_generator.entrypoints import subscribers
from gatepost_generator.settings import Settings
from gatepost_standins.openai.app import create_app
from gatepost_standins.openai.config import OpenAIStandinConfig
from tests.unit.memory import MemoryDatabase

LEASE = timedelta(seconds=60)


class FixedClock(Clock):
    def now(self) -> datetime:
        return datetime.now(UTC)


class Services:
    """media and auth's internal routes, as the generator calls them."""

    def __init__(self) -> None:
        self.images: list[str] = []
        self.formats: list[str | None] = []  # the slide format each picture was stored for
        self.slides: list[dict[str, Any]] = []
        self.style: dict[str, Any] = {}

    def answer(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/internal/images":
            sha = hashlib.sha256(request.content).hexdigest()
            self.images.append(sha)
            self.formats.append(request.url.params.get("format"))
            return httpx.Response(
                201,
                json={
                    "sha256": sha,
                    "url": f"https://m/{sha}.jpg",
                    "width": 1080,
                    "height": 1080,
                    "bytes": 1,
                },
            )
        if path == "/internal/slides":
            body = json.loads(request.content)
            self.slides.append(body)
            sha = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
            return httpx.Response(201, json={"sha256": sha, "url": f"https://m/{sha}.jpg"})
        if path.startswith("/internal/users/"):
            return httpx.Response(200, json={"account_id": "a1", "status": "connected"})
        if path.startswith("/internal/accounts/") and path.endswith("/style"):
            return httpx.Response(200, json=self.style)
        return httpx.Response(404, json={"detail": "not here"})


class World:
    def __init__(self, **standin: Any) -> None:
        self.emitted: list[CloudEvent[Any]] = []
        self.services = Services()
        standin_app = create_app(OpenAIStandinConfig(**standin))
        ai = AsyncOpenAI(
            api_key="sk-test",
            base_url="http://standin/v1",
            max_retries=0,
            http_client=httpx.AsyncClient(
                transport=httpx.ASGITransport(app=standin_app), base_url="http://standin"
            ),
        )
        settings = Settings(
            session_public_key="unused",
            openai_api_key="sk-test",
            openai_base_url="http://standin/v1",
            languages=["en", "fr"],
        )
        transport = httpx.MockTransport(self.services.answer)
        self.parts: Parts = build(
            settings,
            MemoryDatabase(),
            ai,
            self.emit,
            lambda _, url, __: httpx.AsyncClient(base_url=url, transport=transport),
            FixedClock(),
        )

    async def emit(self, event: CloudEvent[Any], key: str) -> None:
        self.emitted.append(event)

    async def generate_all(self) -> None:
        worker = self.parts.worker
        await worker.fill()
        await asyncio.gather(*worker.running.values())


def topic(text: str, topic_id: str = "t1") -> CloudEvent[TopicCreated]:
    data = TopicCreated(topic_id=topic_id, user_id="u1", account_id="a1", text=text)
    return envelope(data, source="another-team", subject=topic_id)


async def test_a_topic_from_kafka_becomes_one_post_of_seven_composed_slides() -> None:
    world = World()
    broker = KafkaBroker()
    subscribers(broker, world.parts.library)
    async with TestKafkaBroker(broker) as test_broker:
        body = topic("Five herbs that grow on a balcony").model_dump_json().encode()
        await test_broker.publish(body, topic="topic.created")
        await test_broker.publish(body, topic="topic.created")  # delivered again
    await world.generate_all()
    [event] = [e for e in world.emitted if e.type == "post.generated"]
    post = event.data
    assert isinstance(post, PostGenerated)
    assert post.topic_id == "t1" and post.language == "en" and len(post.slides) == 7
    assert len(world.services.images) == 7 and len(world.services.slides) == 7
    assert [s["title"] for s in world.services.slides].count(None) == 6  # the cover's title
    stored = await world.parts.topics.get("t1", "u1")
    assert stored is not None and stored["status"] == "generated"
    assert stored["post_id"] == post.post_id and stored["usage"]["images"] == 7
    await world.parts.worker.flush_outbox()  # emitted already: not again
    assert len([e for e in world.emitted if e.type == "post.generated"]) == 1


async def test_an_image_the_model_keeps_failing_fails_the_topic_with_the_reason() -> None:
    world = World(fail_image_when=["balcony"])
    await world.parts.library.accept(topic("A balcony that stays green"))
    await world.generate_all()
    stored = await world.parts.topics.get("t1", "u1")
    assert stored is not None and stored["status"] == "failed"
    assert "could not be rendered: the model provider had an internal error" in stored["reason"]
    assert [e for e in world.emitted if e.type == "post.generated"] == []


async def reaches(world: World, status: str, topic_id: str = "t1") -> bool:
    """Whether the topic gets to `status` within 10 s."""
    for _ in range(200):
        stored = await world.parts.topics.get(topic_id, "u1")
        if stored is not None and stored["status"] == status:
            return True
        await asyncio.sleep(0.05)
    return False


async def test_a_failing_step_of_the_worker_leaves_the_generations_in_hand_going() -> None:
    world = World(image_latency_s=0.3)
    calls = 0

    async def outbox_away(older_than: datetime) -> list[Any]:
        nonlocal calls
        calls += 1
        raise RuntimeError("MongoDB is away for a moment")

    world.parts.topics.unemitted = outbox_away  # type: ignore[method-assign]
    await world.parts.library.accept(topic("Herbs on a windowsill"))
    running = asyncio.create_task(world.parts.worker.run())
    try:
        assert await reaches(world, "generated")
        assert calls >= 1 and not running.done()  # the worker went on after each failure
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


async def test_a_stopped_worker_gives_its_topics_back_at_once() -> None:
    world = World(image_latency_s=5.0)
    await world.parts.library.accept(topic("Slow pictures of a balcony"))
    running = asyncio.create_task(world.parts.worker.run())
    assert await reaches(world, "generating")
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    stored = await world.parts.topics.get("t1", "u1")
    assert stored is not None
    assert (stored["status"], stored["owner"], stored["attempts"]) == ("queued", None, 0)
    # another replica takes it up now, not when the lease would have run out
    claimed = await world.parts.topics.claim_next("other", datetime.now(UTC), LEASE)
    assert claimed is not None and claimed["_id"] == "t1" and claimed["attempts"] == 1


async def test_a_renewal_in_the_millisecond_of_the_claim_keeps_the_topic() -> None:
    """The same lease set again modifies nothing; it must still count as held (it was taken
    for a lost topic, whose generation stopped until the lease ran out a minute later)."""
    world = World()
    await world.parts.library.accept(topic("Renewed at once"))
    now = datetime.now(UTC)
    claimed = await world.parts.topics.claim_next("a", now, LEASE)
    assert claimed is not None
    assert await world.parts.topics.apply(domain.renew("t1", "a", now, LEASE))
    assert not await world.parts.topics.apply(domain.renew("t1", "b", now, LEASE))


async def test_a_post_being_emitted_is_not_taken_for_a_lost_topic() -> None:
    """The topic ended (generated) and Kafka is slow to acknowledge its post: the renewal that
    comes meanwhile finds no lease to renew, which is no reason to stop the emit."""
    world = World()
    acknowledged = asyncio.Event()
    emit = world.emit

    async def slow_kafka(event: CloudEvent[Any], key: str) -> None:
        await acknowledged.wait()
        await emit(event, key)

    world.parts.worker.emit_event = slow_kafka
    await world.parts.library.accept(topic("Slowly acknowledged"))
    await world.parts.worker.fill()
    assert await reaches(world, "generated")
    world.parts.worker.renewed_at = 0.0  # a renewal is due
    await world.parts.worker.renew()
    acknowledged.set()
    await asyncio.gather(*world.parts.worker.running.values())
    assert len([e for e in world.emitted if e.type == "post.generated"]) == 1


async def test_an_account_s_portrait_slides_are_drawn_and_stored_in_that_shape() -> None:
    """The OpenAI stand-in (strict) accepts the portrait size asked, and media is asked for
    pictures of the account's shape."""
    world = World()
    world.services.style = {"format": "1080x1920"}
    await world.parts.library.accept(topic("Five herbs that grow on a balcony"))
    await world.generate_all()
    assert [e.type for e in world.emitted] == ["post.generated"]
    assert world.services.formats == ["1080x1920"] * 7
    stored = await world.parts.topics.get("t1", "u1")
    assert stored is not None and stored["slide_format"] == "1080x1920"
    assert world.emitted[0].data.slide_format == "1080x1920"  # a later redraw keeps it


async def test_a_resumed_topic_keeps_the_shape_it_began_in() -> None:
    """The account chose another shape while the topic was half drawn: the rest of its slides
    are drawn in the shape its first ones have, never a carousel of two shapes."""
    world = World()
    world.services.style = {"format": "1080x1920"}
    await world.parts.library.accept(topic("Five herbs that grow on a balcony"))
    await world.parts.topics.topics.update_one(
        {"_id": "t1"}, {"$set": {"slide_format": "1080x1350"}}
    )
    await world.generate_all()
    assert world.services.formats == ["1080x1350"] * 7
