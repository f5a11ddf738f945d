"""The generator's daily quotas per person, through its composition root over the in-memory
database: typed topics, bulk imports (and their rows), each topic's seven images and each redraw
are refused at the door with a 429 naming the limit and the reset time, and nothing is queued;
a `topic.created` over the quota is stored failed with the reason the person sees."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from gatepost_approval.adapters import IllustrationClient
from gatepost_common.quotas import Quota, QuotaExceeded, QuotaRefusedElsewhere
from gatepost_generator import internal_routes
from gatepost_generator.adapters import MongoTopicRepository
from gatepost_generator.allowance import Allowance, DailyLimits
from gatepost_generator.entrypoints import router as topic_routes
from gatepost_generator.library import TopicLibrary
from tests.unit.asgi import bearer, served
from tests.unit.generator.test_generation_flow import World, topic


def world(topics: int = 100, images: int = 1000, imports: int = 10) -> World:
    made = World()
    made.parts.allowance.limits = DailyLimits(
        Quota("topics", "topics", topics),
        Quota("images", "images", images),
        Quota("imports", "imports", imports),
    )
    return made


def client(made: World) -> httpx.AsyncClient:
    parts = made.parts
    things = {
        TopicLibrary: parts.library,
        MongoTopicRepository: parts.topics,
        Allowance: parts.allowance,
    }
    return served([topic_routes], things)


def typed(text: str) -> dict[str, str]:
    return {"text": text, "account_id": "a1"}


async def test_a_typed_topic_over_the_daily_quota_is_refused_429_and_not_queued() -> None:
    made = world(topics=2)
    async with client(made) as http:
        for text in ("Herbs", "Tides"):
            assert (await http.post("/topics", json=typed(text), headers=bearer("u1"))).is_success
        refused = await http.post("/topics", json=typed("Kites"), headers=bearer("u1"))
        other = await http.post("/topics", json=typed("Moss"), headers=bearer("u2"))
        listed = await http.get("/topics", headers=bearer("u1"))
    assert refused.status_code == 429, refused.text
    assert int(refused.headers["retry-after"]) > 0
    body = refused.json()
    assert body["detail"].startswith("daily limit of 2 topics reached: 2 used today")
    assert body["quota"]["kind"] == "topics" and body["quota"]["resets_at"].endswith("T00:00:00Z")
    assert [t["text"] for t in listed.json()] == ["Tides", "Herbs"]
    assert other.status_code == 201  # another person's day is their own


async def test_imports_rows_and_images_are_each_counted_and_refused_whole() -> None:
    made = world(topics=5, images=1000, imports=2)
    rows = {"topics": [typed(f"row {n}") for n in range(3)]}
    async with client(made) as http:
        first = await http.post("/topics/bulk", json=rows, headers=bearer("u1"))
        too_many_rows = await http.post("/topics/bulk", json=rows, headers=bearer("u1"))
        one = {"topics": [typed("one more")]}
        second = await http.post("/topics/bulk", json=one, headers=bearer("u1"))
        third = await http.post("/topics/bulk", json=one, headers=bearer("u1"))
        usage = await http.get("/usage", headers=bearer("u1"))
    assert first.status_code == 207 and first.json()["accepted"] == 3
    assert too_many_rows.status_code == 429
    assert too_many_rows.json()["quota"] | {"resets_at": ""} == {
        "kind": "topics",
        "limit": 5,
        "used": 3,
        "asked": 3,
        "resets_at": "",
    }
    assert second.status_code == 207  # the refused import was not counted as one
    assert third.status_code == 429 and third.json()["quota"]["kind"] == "imports"
    used = {q["kind"]: (q["used"], q["limit"]) for q in usage.json()["quotas"]}
    assert used == {"topics": (4, 5), "images": (28, 1000), "imports": (2, 2)}
    assert len(await made.parts.topics.for_user("u1", None, 100, 0)) == 4


async def test_a_topic_needs_room_for_its_seven_images() -> None:
    made = world(images=10)
    async with client(made) as http:
        first = await http.post("/topics", json=typed("Herbs"), headers=bearer("u1"))
        second = await http.post("/topics", json=typed("Tides"), headers=bearer("u1"))
    assert first.status_code == 201
    assert second.status_code == 429 and second.json()["quota"]["kind"] == "images"
    assert await made.parts.allowance.used("u1") == {"topics": 1, "images": 7, "imports": 0}


async def test_a_topic_from_kafka_over_the_quota_fails_with_the_reason_shown() -> None:
    made = world(topics=1)
    await made.parts.library.accept(topic("Herbs on a balcony", "t1"))
    await made.parts.library.accept(topic("Tides of the north", "t2"))
    await made.parts.library.accept(topic("Herbs on a balcony", "t1"))  # delivered again
    async with client(made) as http:
        shown = (await http.get("/topics/t2", headers=bearer("u1"))).json()
        queued = (await http.get("/topics/t1", headers=bearer("u1"))).json()
    assert shown["status"] == "failed"
    assert shown["reason"].startswith("daily limit of 1 topics reached: 1 used today")
    assert queued["status"] == "queued"
    assert await made.parts.allowance.used("u1") == {"topics": 1, "images": 7, "imports": 0}


async def test_a_redraw_over_the_images_quota_is_refused_before_the_image_call() -> None:
    made = world(images=8)
    await made.parts.library.accept(topic("Herbs on a balcony", "t1"))  # 7 images
    parts = made.parts
    request = internal_routes.IllustrationRequest(prompt="a fern", user_id="u1")
    drawn = await internal_routes.illustrate(request, parts.calls, parts.media, parts.allowance)
    assert drawn.images == 1
    with pytest.raises(QuotaExceeded) as refused:
        await internal_routes.illustrate(request, parts.calls, parts.media, parts.allowance)
    assert refused.value.quota.kind == "images" and refused.value.used == 8
    assert len(made.services.images) == 1  # the refused redraw made no image call


async def test_approval_passes_the_generators_quota_refusal_on_to_the_person() -> None:
    sent: list[dict[str, Any]] = []

    def generator(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        body = {"detail": "daily limit of 8 images reached", "quota": {"kind": "images"}}
        return httpx.Response(429, json=body, headers={"Retry-After": "600"})

    http = httpx.AsyncClient(base_url="http://g", transport=httpx.MockTransport(generator))
    with pytest.raises(QuotaRefusedElsewhere) as refused:
        await IllustrationClient(http).draw("a fern", "1080x1080", "u1")
    assert refused.value.reason == "daily limit of 8 images reached"
    assert refused.value.answer_headers() == {"Retry-After": "600"}
    assert refused.value.answer_fields() == {"quota": {"kind": "images"}}
    assert sent == [{"prompt": "a fern", "format": "1080x1080", "user_id": "u1"}]


async def test_a_retried_topic_counts_its_seven_images_again() -> None:
    made = world(topics=1, images=14)
    library = made.parts.library
    for topic_id in ("t1", "t2", "t3"):  # t2 and t3 over the day's topics: failed
        await library.accept(topic("Herbs on a balcony", topic_id))
    await library.retry("u1", "t2")
    with pytest.raises(QuotaExceeded) as refused:
        await library.retry("u1", "t3")
    assert refused.value.quota.kind == "images" and refused.value.used == 14
    statuses = {t["_id"]: t["status"] for t in await made.parts.topics.for_user("u1", None, 9, 0)}
    assert statuses == {"t1": "queued", "t2": "queued", "t3": "failed"}
    assert await made.parts.allowance.used("u1") == {"topics": 1, "images": 14, "imports": 0}
