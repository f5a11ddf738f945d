"""Many topics in flight, nothing lost: a generator killed mid-work resumes every topic and makes
one post each; 429 storms are waited out; deleted and failed topics are not generated behind the
person's back; bulk imports show progress and cost; provider budgets hold across replicas."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from typing import Any

import httpx
from openai import AsyncOpenAI
from pymongo import MongoClient

from gatepost_common.clock import Clock
from gatepost_common.mongo import create_mongo_client
from gatepost_common.ratelimit import RateLimiter
from gatepost_common.settings import ServiceSettings
from gatepost_common.topics import POST_GENERATED, TOPIC_CREATED
from gatepost_devstack.outside import (
    collect,
    event_of,
    eventually,
    kill_and_restart,
    metric_total,
    produce,
    signed_up,
    topic_created,
)
from gatepost_devstack.stack import Stack
from gatepost_generator.domain import post_id_for
from gatepost_generator.provider import ModelCalls, SharedBudget, Usage
from gatepost_standins.openai.app import create_app
from gatepost_standins.openai.config import OpenAIStandinConfig
from tests.integration.test_generation import wait_topic
from tests.unit.generator.test_model_calls import settings


def image_calls(stack: Stack) -> list[dict[str, Any]]:
    calls = httpx.get(f"http://127.0.0.1:{stack.ports.openai}/_control/calls").json()
    return [c for c in calls if c["kind"] == "image"]


def topics_db(stack: Stack) -> Any:
    return MongoClient(stack.mongodb_url)[f"{stack.database_prefix}_generator"]["topics"]


def bulk(client: httpx.Client, account_id: str, texts: list[str]) -> dict[str, Any]:
    rows = [{"text": t, "account_id": account_id} for t in texts]
    answer = client.post("/api/generator/topics/bulk", json={"topics": rows})
    assert answer.status_code == 207, answer.text
    report: dict[str, Any] = answer.json()
    return report


async def test_a_killed_generator_resumes_every_topic_and_makes_one_post_each(
    stack: Stack, openai_behaviour: Any
) -> None:
    client, _, account_id = signed_up(stack)
    marker = uuid.uuid4().hex[:6]
    openai_behaviour(image_latency_s=1.5, image_jitter_s=1.0)
    report = bulk(client, account_id, [f"Crash course {marker} number {i}" for i in range(10)])
    ids = [row["topic_id"] for row in report["rows"]]
    topics = topics_db(stack)

    def some_slides_done() -> bool:
        return bool(topics.count_documents({"_id": {"$in": ids}, "images.0": {"$exists": True}}))

    assert eventually(some_slides_done, timeout=60, every=0.1)
    killed_at = time.time()
    done_before = {
        doc["_id"]: {int(i): doc["draft"]["slides"][int(i)]["image_prompt"] for i in doc["images"]}
        for doc in topics.find({"_id": {"$in": ids}, "images": {"$exists": True}})
    }
    kill_and_restart(stack, "generator")
    for topic_id in ids:
        assert wait_topic(client, topic_id, {"generated", "failed"})["status"] == "generated"

    events = await collect(
        stack.kafka_bootstrap,
        POST_GENERATED,
        lambda r: event_of(r)["data"]["topic_id"] in ids,
        count=len(ids),
        settle=3.0,
    )
    posts = {event_of(e)["data"]["topic_id"]: set() for e in events}
    for event in events:
        posts[event_of(event)["data"]["topic_id"]].add(event_of(event)["data"]["post_id"])
    assert posts == {topic_id: {post_id_for(topic_id)} for topic_id in ids}
    for topic_id in ids:
        assert client.get(f"/api/approval/posts/{post_id_for(topic_id)}").status_code == 200
    # resumed, not restarted: no slide finished before the kill was drawn again after it
    redrawn = [
        c
        for c in image_calls(stack)
        if c["start"] > killed_at + 0.5 and c["status"] == 200
        for prompts in done_before.values()
        if c["prompt"] in prompts.values()
    ]
    assert done_before and redrawn == []
    assert max(doc["attempts"] for doc in topics.find({"_id": {"$in": ids}})) >= 2


async def test_a_429_storm_is_waited_out_call_by_call(stack: Stack, openai_behaviour: Any) -> None:
    client, _, account_id = signed_up(stack)
    openai_behaviour(next_rate_limited={"image": 20}, storm_retry_after_s=0.5)
    report = bulk(client, account_id, [f"Storm {uuid.uuid4().hex[:6]}" for _ in range(2)])
    found = [wait_topic(client, r["topic_id"], {"generated", "failed"}) for r in report["rows"]]
    assert [t["status"] for t in found] == ["generated", "generated"], found
    assert sum(t["usage"]["rate_limited"] for t in found) == 20
    assert all(t["usage"]["images"] == 7 for t in found)


async def test_deleted_and_failed_topics_are_not_generated_behind_the_persons_back(
    stack: Stack, openai_behaviour: Any
) -> None:
    client, user_id, account_id = signed_up(stack)
    marker = uuid.uuid4().hex[:6]
    openai_behaviour(image_latency_s=3.0, fail_image_when=[f"Slide 2 about Broken {marker}"])
    deleted = client.post(
        "/api/generator/topics", json={"text": f"Deleted {marker}", "account_id": account_id}
    ).json()["topic_id"]
    failed = client.post(
        "/api/generator/topics", json={"text": f"Broken {marker}", "account_id": account_id}
    ).json()["topic_id"]
    assert wait_topic(client, deleted, {"generating"})
    assert client.delete(f"/api/generator/topics/{deleted}").status_code == 204
    assert wait_topic(client, failed, {"failed", "generated"})["status"] == "failed"
    calls_before = len(image_calls(stack))
    # the same topic.created again, as a redelivery or another system's retry would bring it
    for topic_id, text in ((deleted, f"Deleted {marker}"), (failed, f"Broken {marker}")):
        _, value = topic_created(user_id, account_id, text, topic_id)
        await produce(stack.kafka_bootstrap, TOPIC_CREATED, value, key=topic_id)
    posts = await collect(
        stack.kafka_bootstrap,
        POST_GENERATED,
        lambda r: event_of(r)["data"]["topic_id"] in (deleted, failed),
        timeout=8,
    )
    assert posts == []
    assert client.get(f"/api/generator/topics/{deleted}").status_code == 404
    assert client.get(f"/api/generator/topics/{failed}").json()["status"] == "failed"
    late = [c for c in image_calls(stack)[calls_before:] if marker in c["prompt"]]
    assert late == [], "a deleted or failed topic was drawn again"


def test_a_bulk_import_shows_its_progress_and_each_topic_its_cost(stack: Stack) -> None:
    client, _, account_id = signed_up(stack)
    report = bulk(client, account_id, [f"Progress {uuid.uuid4().hex[:6]}" for _ in range(5)])
    import_id = report["import_id"]
    first = client.get(f"/api/generator/imports/{import_id}").json()
    assert first["total"] == 5

    def finished() -> dict[str, Any] | None:
        progress: dict[str, Any] = client.get(f"/api/generator/imports/{import_id}").json()
        return progress if progress["finished"] == 5 else None

    done = eventually(finished, timeout=90)
    assert done and done["counts"]["generated"] == 5, done
    for row in report["rows"]:
        usage = client.get(f"/api/generator/topics/{row['topic_id']}").json()["usage"]
        assert usage["images"] == 7 and usage["text_tokens"] > 0, usage
    assert eventually(lambda: metric_total(stack.metric_points(), "gatepost.ai.images") >= 35)
    stranger, _, _ = signed_up(stack)
    assert stranger.get(f"/api/generator/imports/{import_id}").status_code == 404


async def test_the_image_budget_holds_across_replicas(stack: Stack) -> None:
    """Two replicas sharing a budget of 3 images a minute: 3 calls go out, the rest wait, and
    the provider (which allows 3) never answers 429."""
    app = create_app(OpenAIStandinConfig(budgets={"*": {"images_per_minute": 3}}))
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://standin")
    ai = AsyncOpenAI(api_key="k", base_url="http://standin/v1", http_client=http, max_retries=0)
    mongo = create_mongo_client(
        ServiceSettings(mongodb_url=stack.mongodb_url, service_name=f"budget-{uuid.uuid4().hex}")
    )
    try:
        db = mongo[f"budget_{uuid.uuid4().hex[:8]}"]
        s = settings(image_budget_per_minute=3)
        replicas = [  # a fresh database: the budget's window starts empty
            ModelCalls(ai, SharedBudget(RateLimiter(db, Clock()), {"images": 3}), s)
            for _ in range(2)
        ]
        tasks = [asyncio.create_task(replicas[i % 2].image(f"p{i}", Usage())) for i in range(6)]
        await asyncio.sleep(2.0)
        assert sum(t.done() for t in tasks) == 3
        stats = (await http.get("/_control/stats")).json()
        assert stats["images"] == 3 and stats["rate_limited"] == 0
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    finally:
        await mongo.close()


def test_media_restarting_mid_generation_loses_no_topic(
    stack: Stack, openai_behaviour: Any
) -> None:
    """media is deployed (or crashes) while slides are being stored: the generator waits it
    out and the topic is generated (it used to fail at once: 'slide N could not be rendered')."""
    client, _, account_id = signed_up(stack)
    openai_behaviour(image_latency_s=1.5)
    topic_id = client.post(
        "/api/generator/topics",
        json={"text": f"Media restarts {uuid.uuid4().hex[:6]}", "account_id": account_id},
    ).json()["topic_id"]
    assert eventually(
        lambda: client.get(f"/api/generator/topics/{topic_id}").json().get("stage") == "rendering",
        timeout=60,
        every=0.1,
    )
    kill_and_restart(stack, "media")
    topic = wait_topic(client, topic_id, {"generated", "failed"})
    assert topic["status"] == "generated", topic
